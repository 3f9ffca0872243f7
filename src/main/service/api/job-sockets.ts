import type { WebSocket } from 'ws';
import type { RenderJobEvent, RenderJobView } from '../jobs/render-job.ts';
import type { ApiServices } from './api-context.ts';

/**
 * The progress WebSockets. `/v1/jobs/{id}/events` sends one RenderJobEvent per message (the
 * job's state first, then every change and progress report) and closes once the job has
 * finished. `/ws/lesson/{lesson_id}` is the predecessor's (rapido_api_refactored.py:329-366 at
 * 534b6f6): its envelope `{ type, lesson_id, data, timestamp }`, `status` first (here: the
 * lesson's jobs) and then an `update` per event of one of them, instead of its poll every 5 s.
 * A client that reads slower than progress comes skips progress reports (never state changes)
 * while its send buffer is full.
 */
const maxBufferedBytes = 1024 * 1024;
const finishedStates = new Set(['completed', 'failed', 'cancelled']);

function send(socket: WebSocket, message: unknown, droppable: boolean): void {
  if (socket.readyState !== socket.OPEN) return;
  if (droppable && socket.bufferedAmount > maxBufferedBytes) return;
  socket.send(JSON.stringify(message));
}

export async function serveJobEvents(
  socket: WebSocket,
  services: ApiServices,
  jobId: string,
): Promise<void> {
  // Subscribed before the job is read, so no event falls between the two.
  const pending: RenderJobEvent[] = [];
  let current: RenderJobView | null = null;
  let done = false;
  const finish = () => {
    done = true;
    unsubscribe();
    socket.close(1000, 'job finished');
  };
  const deliver = (event: RenderJobEvent) => {
    if (done) return;
    send(socket, event, event.type === 'progress');
    if (event.type === 'state' && finishedStates.has(event.state)) finish();
  };
  const unsubscribe = services.queue.subscribe((event) => {
    if (event.jobId !== jobId) return;
    if (current === null) pending.push(event);
    else deliver(event);
  });
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);
  const job = await services.queue.get(jobId);
  if (job === null) {
    unsubscribe();
    socket.close(1008, 'no such job');
    return;
  }
  current = job;
  deliver({ type: 'state', jobId, lessonId: job.lessonId, state: job.state, error: job.error });
  for (const event of pending.splice(0)) deliver(event);
}

export async function serveLessonUpdates(
  socket: WebSocket,
  services: ApiServices,
  lessonId: string,
): Promise<void> {
  const timestamp = () => new Date(services.now()).toISOString();
  const active = new Set<string>();
  // Subscribed before the listing is read, so no event falls between the two.
  const pending: RenderJobEvent[] = [];
  let listed = false;
  const update = (event: RenderJobEvent) => {
    if (event.type === 'state') {
      if (event.state === 'active') active.add(event.jobId);
      else active.delete(event.jobId);
    } else {
      active.add(event.jobId);
    }
    send(
      socket,
      {
        type: 'update',
        lesson_id: lessonId,
        data: {
          is_processing: active.size > 0,
          current_lesson_id: active.size > 0 ? lessonId : null,
          event,
        },
        timestamp: timestamp(),
      },
      event.type === 'progress',
    );
  };
  const unsubscribe = services.queue.subscribe((event) => {
    if (event.lessonId !== lessonId) return;
    if (listed) update(event);
    else pending.push(event);
  });
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);
  const jobs = (await services.queue.list({ limit: 500 })).filter(
    (job) => job.lessonId === lessonId,
  );
  for (const job of jobs) if (job.state === 'active') active.add(job.id);
  send(
    socket,
    {
      type: 'status',
      lesson_id: lessonId,
      data: {
        is_processing: active.size > 0,
        current_lesson_id: active.size > 0 ? lessonId : null,
        jobs,
      },
      timestamp: timestamp(),
    },
    false,
  );
  listed = true;
  for (const event of pending.splice(0)) update(event);
}
