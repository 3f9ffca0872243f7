import { z } from 'zod';

/**
 * How Rapido goes live on LiveKit: where, as whom, and how the program is encoded. Not secret
 * (kept as plain JSON in the data folder); the credentials are a separate sealed secret in main.
 */
export const liveRoomNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;

export const liveVideoSettingsSchema = z
  .object({
    /** Top layer bitrate; 0 = Rapido's default for the output size. */
    maxBitrateKbps: z.number().int().min(0).max(50_000).default(0),
    /** Lower layers for viewers on weak links (half and quarter size). */
    simulcast: z.boolean().default(true),
    codec: z.enum(['vp8', 'h264', 'vp9', 'av1']).default('vp8'),
  })
  .strict();
export type LiveVideoSettings = z.infer<typeof liveVideoSettingsSchema>;

export const liveSettingsSchema = z
  .object({
    /** ws(s):// or http(s):// URL of the LiveKit server; LIVEKIT_URL overrides it. */
    url: z
      .url({
        protocol: /^(wss?|https?)$/,
        error: 'expected a URL such as wss://example.livekit.cloud',
      })
      .nullable()
      .default(null),
    /** Null: the lesson id names the room. */
    room: z
      .string()
      .regex(liveRoomNamePattern, 'use letters, digits, ".", "_" and "-" only')
      .nullable()
      .default(null),
    identity: z.string().min(1).max(100).default('rapido-presenter'),
    displayName: z.string().min(1).max(100).default('Rapido'),
    video: liveVideoSettingsSchema.default({ maxBitrateKbps: 0, simulcast: true, codec: 'vp8' }),
  })
  .strict();
export type LiveSettings = z.infer<typeof liveSettingsSchema>;

/** Top-layer bitrate for an output size when none is set (LiveKit's presets, rounded up). */
export function defaultBitrateKbps(width: number, height: number, fps: number): number {
  const pixels = width * height;
  const base =
    pixels <= 640 * 360
      ? 900
      : pixels <= 1280 * 720
        ? 2_500
        : pixels <= 1920 * 1080
          ? 4_500
          : 8_000;
  // Slides change rarely, but the avatar moves: scale with frame rate above 30.
  return Math.round(base * Math.max(1, fps / 30));
}

/** Data messages on the `avatar_events` topic, as the predecessor's viewers expect them. */
export const avatarEventsTopic = 'avatar_events';
export type AvatarEvent =
  | { type: 'streamStarting'; lessonId: string; title: string; slideCount: number; atMs: number }
  /** `index` counts from 0 in the lesson's slide order. */
  | { type: 'slideChange'; slideId: string; index: number; title: string; atMs: number }
  | { type: 'streamEnd'; lessonId: string; reason: 'ended' | 'stopped'; atMs: number };
