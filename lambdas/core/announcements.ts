/**
 * Announcing facts at least once: what a fact stands for is noted as announced only once the fact
 * is out, so whoever comes next (a retry, a later event) announces what is not; and what went out
 * before a failure is noted too, so that nothing is announced twice for it.
 */
import type { Fact, FactPublisher, PartlyPublished } from './ports';

/**
 * Publishes facts, each standing for something to note as announced once it is out: after a
 * failure, those that went out are noted all the same, so a retry announces only the rest.
 */
export async function publishNoting<T>(
  publisher: FactPublisher,
  announcements: readonly { readonly fact: Fact; readonly subject: T }[],
  noteAnnounced: (subject: T) => Promise<void>,
): Promise<void> {
  try {
    await publisher.publish(announcements.map((announcement) => announcement.fact));
  } catch (error) {
    const published = new Set((error as Partial<PartlyPublished>).published ?? []);
    for (const { fact, subject } of announcements) if (published.has(fact)) await noteAnnounced(subject);
    throw error;
  }
  for (const { subject } of announcements) await noteAnnounced(subject);
}
