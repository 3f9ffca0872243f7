/**
 * The part of @echogarden/espeak-ng-emscripten (0.3.x) that Rapido uses. The package ships no
 * types; these were read from its espeak-ng.js and the fork's espeakng_glue.idl.
 */
declare module '@echogarden/espeak-ng-emscripten' {
  export type EspeakEventType =
    | 'list_terminated'
    | 'word'
    | 'sentence'
    | 'mark'
    | 'play'
    | 'end'
    | 'msg_terminated'
    | 'phoneme'
    | 'samplerate';

  export interface EspeakEvent {
    type: EspeakEventType;
    /** 1-based position in the input, counted in Unicode code points (tags and entities too). */
    text_position: number;
    /** Code points covered by a word event. */
    word_length: number;
    /** Milliseconds from the start of the message. */
    audio_position: number;
    id: string | number | undefined;
  }

  export interface EspeakVoiceInfo {
    name: string;
    identifier: string;
    /** Lower priority numbers are better matches. */
    languages: { priority: number; name: string }[];
  }

  export interface ESpeakNGWorker {
    readonly samplerate: number;
    /** Words per minute, applied at the next synthesis. */
    rate: number;
    /** 0..99, applied at the next synthesis. */
    pitch: number;
    range: number;
    volume: number;
    /** 0 on success (espeak_ERROR: 2 = not found). Matches voice names and file names. */
    set_voice(name: string): number;
    list_voices(): EspeakVoiceInfo[];
    /**
     * Synchronous: input is UTF-8 with SSML and [[phoneme]] parsing on. The callback receives
     * 16-bit chunks at `samplerate` with their events; returning true stops the synthesis.
     */
    synthesize(
      text: string,
      callback: (samples: Int16Array, events: EspeakEvent[]) => boolean,
    ): void;
  }

  export interface EspeakModule {
    eSpeakNGWorker: new () => ESpeakNGWorker;
  }

  export interface EspeakModuleOptions {
    print?: (text: string) => void;
    printErr?: (text: string) => void;
  }

  function createEspeakModule(options?: EspeakModuleOptions): Promise<EspeakModule>;
  export { createEspeakModule as default };
}
