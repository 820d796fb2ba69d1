// The random suffix the API server appends to a generateName (and the ServiceAccount
// admission plugin to its volume's name): 5 characters of an alphabet without vowels,
// so no word is spelled by chance.
const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(n = 5): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return [...bytes].map((b) => NAME_SUFFIX_ALPHABET[b % NAME_SUFFIX_ALPHABET.length]).join("");
}
