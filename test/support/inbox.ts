/**
 * What a test's stand-in server received, in order, with a wait for the next match: shared by
 * the SMTP capture and the Twilio stand-in.
 */
export function createInbox<T>(describe: (m: T) => string, kind: string) {
  const messages: T[] = [];
  const waiters = new Set<(m: T) => void>();
  return {
    messages,
    receive(message: T) {
      messages.push(message);
      for (const waiter of waiters) waiter(message);
    },
    /** The latest message that matches, or the next one to arrive. */
    waitFor(predicate: (m: T) => boolean, timeoutMs = 5000): Promise<T> {
      const existing = messages.findLast(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter = (m: T) => {
          if (!predicate(m)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `No matching ${kind} within ${timeoutMs} ms (received: ${messages.map(describe).join('; ') || 'none'})`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}
