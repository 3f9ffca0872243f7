import type { SyncTalkAvatarSettings } from '../../../../shared/lesson/lesson-schema.ts';
import type { Logger } from '../../logging/logger.ts';
import { displayOrigin } from '../synctalk-client/synctalk-http.ts';
import type {
  SyncTalkSession,
  SyncTalkSessionOptions,
} from '../synctalk-client/synctalk-session.ts';

/**
 * The SyncTalk streams per server + avatar ("lanes"). The server makes frames at real time at
 * best (nominal 25 fps, observed near 23), so one stream could only start the next slide once
 * this one is spoken: every slide change would wait for a first frame. A second stream makes the
 * next slide while the current one plays. It is opened only when the first is busy; if the
 * server refuses it (capacity) or it fails before a frame, that lane is given up and its work
 * goes to the first.
 */
export interface Lane {
  session: SyncTalkSession;
  /** Utterances queued or running on it. */
  busy: number;
  /** Refused or broken before a frame: not used again (the session is closed). */
  disabled: boolean;
  primary: boolean;
}

export type SyncTalkSessionFactory = (options: SyncTalkSessionOptions) => SyncTalkSession;

export interface SegmentLanes {
  /** An idle lane, a new one while under the limit, else the least busy. */
  laneFor(avatar: SyncTalkAvatarSettings, lessonId: string, primaryOnly: boolean): Lane;
  /** Gives a lane up (the extra stream was refused) and closes its session. */
  disable(lane: Lane): void;
  close(): Promise<void>;
}

export function createSegmentLanes(options: {
  logger: Logger;
  sessionFactory: SyncTalkSessionFactory;
  sessionOptions?: Partial<SyncTalkSessionOptions> | undefined;
  maxLanes: number;
}): SegmentLanes {
  const lanesById = new Map<string, Lane[]>();

  function laneFor(avatar: SyncTalkAvatarSettings, lessonId: string, primaryOnly: boolean): Lane {
    const id = [
      displayOrigin(avatar.serverUrl),
      avatar.avatarName,
      avatar.folderName ?? '',
      `${avatar.frameSize.width}x${avatar.frameSize.height}`,
    ].join('\n');
    const lanes = (lanesById.get(id) ?? []).filter(
      (lane) => lane.session.state !== 'closed' && !lane.disabled,
    );
    lanesById.set(id, lanes);
    const usable = primaryOnly ? lanes.slice(0, 1) : lanes;
    const idle = usable.find((lane) => lane.busy === 0);
    if (idle) return idle;
    if (lanes.length === 0 || (!primaryOnly && lanes.length < options.maxLanes)) {
      const lane: Lane = {
        session: options.sessionFactory({
          serverUrl: avatar.serverUrl,
          avatarName: avatar.avatarName,
          ...(avatar.folderName === undefined ? {} : { folderName: avatar.folderName }),
          frameSize: avatar.frameSize,
          logger: options.logger,
          lessonId,
          ...options.sessionOptions,
        }),
        busy: 0,
        disabled: false,
        primary: lanes.length === 0,
      };
      lanes.push(lane);
      return lane;
    }
    return usable.reduce((best, lane) => (lane.busy < best.busy ? lane : best));
  }

  return {
    laneFor,
    disable(lane) {
      lane.disabled = true;
      void lane.session.close();
    },
    async close() {
      const all = [...lanesById.values()].flat();
      lanesById.clear();
      await Promise.all(all.map((lane) => lane.session.close()));
    },
  };
}
