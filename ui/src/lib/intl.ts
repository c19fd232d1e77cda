// Intl formatters, one per locale and options, kept for the app's life. Making one builds
// an ICU object (costly in time and in memory the collector frees late); using one is cheap.
// A results list formats fifty distances per render, and the keys stay few: four UI
// languages times a handful of styles.

const made = new Map<string, object>();

function memo<T extends object>(kind: string, locale: string, options: object, make: () => T): T {
  const key = `${kind}|${locale}|${JSON.stringify(options)}`;
  let f = made.get(key) as T | undefined;
  if (!f) {
    f = make();
    made.set(key, f);
  }
  return f;
}

export function numberFormat(locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  return memo('number', locale, options, () => new Intl.NumberFormat(locale, options));
}

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions = {}): Intl.DateTimeFormat {
  return memo('date', locale, options, () => new Intl.DateTimeFormat(locale, options));
}

export function relativeTimeFormat(locale: string, options: Intl.RelativeTimeFormatOptions = {}): Intl.RelativeTimeFormat {
  return memo('relative', locale, options, () => new Intl.RelativeTimeFormat(locale, options));
}

export function displayNames(locale: string, type: Intl.DisplayNamesType): Intl.DisplayNames {
  return memo('names', locale, { type }, () => new Intl.DisplayNames([locale], { type }));
}

/** How many formatters were made: for the test that they are reused. */
export function formattersMade(): number {
  return made.size;
}
