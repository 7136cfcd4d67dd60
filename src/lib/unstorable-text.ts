// PostgreSQL text cannot hold U+0000 (the insert fails: a 500), and an unpaired surrogate is
// silently stored as U+FFFD, so the value read back would differ from the value given.
// eslint-disable-next-line no-control-regex -- U+0000 is what this looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string (member name or value) that cannot be stored as text, if any. */
export function findUnstorableText(root: unknown, rootPath: string): string | undefined {
  // Iterative, and the path is only spelled out when found: a JSON body may nest deeper than
  // the call stack allows, and building every path eagerly would cost depth² characters.
  interface Step {
    value: unknown;
    key: string;
    parent?: Step;
  }
  const pathOf = (step: Step | undefined): string => {
    const keys: string[] = [];
    for (let s = step; s; s = s.parent) keys.push(s.key);
    return keys.reverse().join('.');
  };
  const stack: Step[] = [{ value: root, key: rootPath }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const { value } = step;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return pathOf(step);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, member] of Object.entries(value)) {
        const child = { value: member, key, parent: step };
        if (UNSTORABLE.test(key)) return pathOf(child);
        stack.push(child);
      }
    }
  }
  return undefined;
}
