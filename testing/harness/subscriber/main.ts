import type { SubscriberApi, TestPublisher } from './subscriber-api.ts';
import { createSubscriber } from './subscriber.ts';
import { createTestPublisher } from './test-publisher.ts';

declare global {
  interface Window {
    subscriberApi?: SubscriberApi;
    testPublisher?: TestPublisher;
  }
}

window.subscriberApi = createSubscriber();
window.testPublisher = createTestPublisher();
