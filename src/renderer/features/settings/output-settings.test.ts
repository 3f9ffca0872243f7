import { describe, expect, it } from 'vitest';
import { checkDraft, customSizeId, draftFrom, presetIdFor, sameOutput } from './output-settings.ts';

describe('output presets', () => {
  it('recognises the presets and calls any other size Custom', () => {
    expect(presetIdFor(1920, 1080)).toBe('1920x1080');
    expect(presetIdFor(1280, 720)).toBe('1280x720');
    expect(presetIdFor(854, 480)).toBe('854x480');
    expect(presetIdFor(640, 360)).toBe(customSizeId);
  });

  it('starts the draft from the lesson, custom sizes as text', () => {
    expect(draftFrom({ width: 640, height: 360, fps: 25 })).toEqual({
      sizeId: customSizeId,
      widthText: '640',
      heightText: '360',
      fps: 25,
    });
  });
});

describe('checkDraft', () => {
  it('takes a preset size whatever the custom fields hold', () => {
    expect(checkDraft({ sizeId: '1920x1080', widthText: 'junk', heightText: '', fps: 30 })).toEqual(
      { ok: true, output: { width: 1920, height: 1080, fps: 30 } },
    );
  });

  it('accepts an even custom size within the limits', () => {
    expect(
      checkDraft({ sizeId: customSizeId, widthText: ' 640 ', heightText: '360', fps: 25 }),
    ).toEqual({ ok: true, output: { width: 640, height: 360, fps: 25 } });
    expect(
      checkDraft({ sizeId: customSizeId, widthText: '16', heightText: '4320', fps: 60 }).ok,
    ).toBe(true);
    expect(
      checkDraft({ sizeId: customSizeId, widthText: '7680', heightText: '16', fps: 24 }).ok,
    ).toBe(true);
  });

  it('names the field and the rule for odd, small, large and non-numeric sizes', () => {
    expect(
      checkDraft({ sizeId: customSizeId, widthText: '641', heightText: '360', fps: 25 }),
    ).toEqual({ ok: false, errors: { width: 'Width must be an even number from 16 to 7680.' } });
    expect(
      checkDraft({ sizeId: customSizeId, widthText: '640', heightText: '14', fps: 25 }),
    ).toEqual({ ok: false, errors: { height: 'Height must be an even number from 16 to 4320.' } });
    expect(
      checkDraft({ sizeId: customSizeId, widthText: '7682', heightText: '4322', fps: 25 }),
    ).toEqual({
      ok: false,
      errors: {
        width: 'Width must be an even number from 16 to 7680.',
        height: 'Height must be an even number from 16 to 4320.',
      },
    });
    for (const typed of ['', 'abc', '12.5', '1e3', '-640']) {
      expect(
        checkDraft({ sizeId: customSizeId, widthText: typed, heightText: '360', fps: 25 }),
      ).toEqual({ ok: false, errors: { width: 'Enter a whole number of pixels.' } });
    }
  });

  it('refuses a frame rate the schema refuses', () => {
    expect(checkDraft({ sizeId: '1280x720', widthText: '', heightText: '', fps: 120 })).toEqual({
      ok: false,
      errors: { fps: 'Frame rate must be 1 to 60.' },
    });
  });
});

describe('sameOutput', () => {
  it('compares all three values', () => {
    const a = { width: 1280, height: 720, fps: 25 };
    expect(sameOutput(a, { ...a })).toBe(true);
    expect(sameOutput(a, { ...a, fps: 30 })).toBe(false);
    expect(sameOutput(a, { ...a, width: 1282 })).toBe(false);
  });
});
