/** Runs work on many hosts at once, up to a limit, keeping every host's result. */
import pLimit from 'p-limit';

/** Ansible's forks default is 5; SSH multiplexing makes 10 comfortable. */
export const DEFAULT_FORKS = 10;

export async function fanOut<H, R>(
  items: readonly H[],
  limit: number,
  work: (item: H) => Promise<R>,
): Promise<R[]> {
  const gate = pLimit(Math.max(1, limit));
  return Promise.all(items.map((item) => gate(() => work(item))));
}
