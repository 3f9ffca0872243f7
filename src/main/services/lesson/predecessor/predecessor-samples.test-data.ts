/**
 * Predecessor files in the documented shapes (ISSUE16.md; field names and values as in
 * alin-anjum/agent_streaming_backend rapido_system/data/), small, for the tests of this folder.
 */

export function parsedSlideData(): unknown {
  return {
    slides: [
      {
        slideInfo: {
          position: 1,
          slideType: 1,
          narrationData: 'Welcome to the lesson.',
          narrationDuration: 4478,
          slideId: 'bfab0faf-cb79-43fc-ba93-32178dab6502',
          embedId: '',
          presenterConfig: { scaleX: 0.2, scaleY: 0.2, top: 670.4, left: 755.2, isEditable: true },
        },
      },
      {
        slideInfo: {
          position: 2,
          slideType: 2,
          narrationData: '',
          narrationDuration: '',
          slideId: '',
          embedId: 'quiz-1',
          presenterConfig: '',
        },
      },
      {
        slideInfo: {
          position: 3,
          slideType: 1,
          narrationData: 'On the left now.',
          narrationDuration: 2000,
          slideId: 'c0ffee00-0000-4000-8000-000000000003',
          embedId: '',
          presenterConfig: { scaleX: 0.2, scaleY: 0.2, top: 674.8, left: 122.4, display: true },
        },
      },
    ],
  };
}

export function innerDocument(imageSrc = 'https://example.invalid/a.png'): Record<string, unknown> {
  return {
    slides: [
      {
        id: 'slide-one',
        contentType: 'canvas',
        backgroundColor: '#ffffff',
        backgroundImage: 'https://example.invalid/background.jpg',
        presenterConfig: { scaleX: 0.2, scaleY: 0.2, top: 674.8, left: 772.4, display: true },
        defaultPresenterConfig: { scaleX: 0.2, scaleY: 0.2, top: 674.8, left: 772.4 },
        objects: [
          {
            id: 'picture',
            type: 'image',
            src: imageSrc,
            width: 1032.22,
            height: 1022.12,
            naturalWidth: 1032.22,
            naturalHeight: 1024.14,
            croppedTop: -2,
            croppedLeft: 0,
            croppedRight: 0,
            croppedBottom: 0,
            opacity: 100,
            transform: 'translate(51.4px, 30.16px)',
          },
          {
            id: 'never-placed',
            type: 'image',
            src: 'https://example.invalid/logo.png',
            width: null,
            height: null,
            naturalWidth: 232,
            naturalHeight: 68,
            opacity: 100,
            transform: 'translate(NaNpx, NaNpx)',
          },
          {
            id: 'band',
            type: 'shape',
            shape: 'rectangle',
            width: 1894.06,
            height: 1100.81,
            fill: 'linear-gradient(90deg, #fc5a54 0%, #8b2d56 100%)',
            fillColor: 'linear-gradient(90deg, #fc5a54 0%, #8b2d56 100%)',
            stroke: 'rgb(0,0,0)',
            strokeColor: 'rgb(0,0,0)',
            strokeWidth: 0,
            strokeStyle: 'solid',
            opacity: 100,
            transform: 'translate(805.71px, 1026.39px) rotate(0deg) scale(1.96, 1.96)',
          },
          {
            id: 'title',
            type: 'text',
            content: 'Beyond Hello World\n',
            fontFamily: 'Poppins',
            fontSize: 110,
            color: '#373737',
            textAlign: 'center',
            variant: 'heading',
            backgroundColor: 'transparent',
            width: 1429.91,
            height: 165,
            opacity: 100,
            transform: 'translate(259.64px, 428.1px) rotate(0deg) scale(1, 1)',
          },
          {
            id: 'points',
            type: 'text',
            content: 'One\nTwo\n',
            fontFamily: 'Cabin',
            fontSize: 31,
            color: 'rgb(55, 55, 55)',
            textAlign: 'left',
            variant: 'bulletList',
            bulletColor: '#d1be92',
            width: 620,
            height: 294,
            opacity: 100,
            transform: 'translate(1047.5px, 114.3px)',
          },
        ],
        narrationData: {
          text: 'Hello World programs.',
          totalDuration: 4478,
          tokens: [
            {
              id: 'start-word',
              type: 'word',
              text: 'Hello',
              startTime: 1000,
              endTime: 1240,
              duration: 240,
            },
            { type: 'word', text: 'World', startTime: 1240, endTime: 1600, duration: 360 },
            { type: 'word', text: 'programs.', startTime: 1600, endTime: 2200, duration: 600 },
          ],
          audioUrl: 'https://example.invalid/narration.mp3',
        },
      },
      {
        id: 'quiz',
        contentType: 'embed',
        embed: { type: 'iframe', url: 'https://example.invalid/quiz', title: 'Quick quiz' },
      },
      {
        id: 'slide-three',
        contentType: 'canvas',
        backgroundColor: '#000000',
        backgroundImage: '',
        presenterConfig: null,
        defaultPresenterConfig: { scaleX: 0.2, scaleY: 0.2, top: 674.8, left: 1382.4 },
        objects: [],
        narrationData: { text: 'The end.', totalDuration: 900, tokens: [], audioUrl: '' },
      },
    ],
    presenter: { id: '284', name: 'Tenzing', imageUrl: 'https://example.invalid/Tenzing.png' },
  };
}

/** The outer video-job document, pretty-printed the way the predecessor stored it. */
export function videoJobDocumentText(inner: unknown = innerDocument()): string {
  return JSON.stringify(
    {
      docId: 'da7256ec-5e2d-450d-a809-c6b03e4f3c4c',
      stringifiedDocJson: JSON.stringify(inner),
      videoUrl: null,
      videoState: 'completed',
    },
    null,
    2,
  );
}
