/** Topic names of the Kafka contracts (README: Kafka contracts). Every topic is keyed by drive serial so one drive's events stay ordered. */
export const topics = {
  telemetry: 'wearwatch.telemetry.v1',
  enrollment: 'wearwatch.enrollment.v1',
  rma: 'wearwatch.rma.v1',
  alerts: 'wearwatch.alerts.v1',
} as const;

export const dlqTopic = (topic: string): string => `${topic}.dlq`;

/** Every topic wearwatch creates: the contracts and, for the consumed ones (alerts by notification delivery), their dead-letter topics. */
export const allTopics: string[] = [
  ...Object.values(topics),
  dlqTopic(topics.telemetry),
  dlqTopic(topics.enrollment),
  dlqTopic(topics.rma),
  dlqTopic(topics.alerts),
];
