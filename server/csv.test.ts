import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell, csvRow } from './csv.js';

describe('CSV cells', () => {
  const cases: [string | number | boolean | null, string][] = [
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+2', "'=1+2"],
    ['+14155550123', "'+14155550123"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    [14155550123, '14155550123'],
    [true, 'true'],
    [null, ''],
    ['', ''],
  ];
  for (const [input, want] of cases)
    it(`Should write ${JSON.stringify(input)} as ${want}`, () => assert.equal(csvCell(input), want));
  it('Should end rows with CRLF', () => assert.equal(csvRow(['a', 'b,c']), 'a,"b,c"\r\n'));
});
