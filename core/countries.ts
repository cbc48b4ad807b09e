import { getCountries, getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';

/** The ISO 3166 countries whose numbers can be read without a country code (libphonenumber's list). */
export const PHONE_COUNTRIES: readonly string[] = getCountries();

export function isPhoneCountry(v: string): boolean {
  return PHONE_COUNTRIES.includes(v);
}

/** The country's calling code, such as `44` for `GB`. */
export function callingCode(country: string): string {
  return getCountryCallingCode(country as CountryCode);
}
