// A boolean query parameter as the API server converts one (apimachinery's
// Convert_Slice_string_To_bool): absent, "0" or "false" in any case is false; any other
// value, the empty string included, is true. Clients send what Go's strconv.FormatBool
// or their own language prints ("true", "True", "1", "t"), and all of them must count.
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === "0" || v.toLowerCase() === "false");
}
