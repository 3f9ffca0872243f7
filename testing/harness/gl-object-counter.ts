/**
 * Counts the GL objects made and deleted through one context, by wrapping the context's own
 * create/delete methods before the compositor gets it: a test-only leak check that needs no
 * hooks in the compositor.
 */
export interface GlObjectCounter {
  readonly created: number;
  readonly live: number;
  /** A lost context takes its objects with it: nothing is left to delete. */
  forgetAll(): void;
}

export function countGlObjects(gl: WebGL2RenderingContext): GlObjectCounter {
  const live = new Set<object>();
  let created = 0;

  function track<A extends unknown[], R>(create: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const made = create(...args);
      if (made !== null && typeof made === 'object') {
        created += 1;
        live.add(made);
      }
      return made;
    };
  }
  function untrack<T>(remove: (object: T) => void): (object: T) => void {
    return (object: T): void => {
      if (object !== null && typeof object === 'object') live.delete(object);
      remove(object);
    };
  }

  gl.createBuffer = track(gl.createBuffer.bind(gl));
  gl.createTexture = track(gl.createTexture.bind(gl));
  gl.createProgram = track(gl.createProgram.bind(gl));
  gl.createShader = track(gl.createShader.bind(gl));
  gl.createVertexArray = track(gl.createVertexArray.bind(gl));
  gl.createFramebuffer = track(gl.createFramebuffer.bind(gl));
  gl.createRenderbuffer = track(gl.createRenderbuffer.bind(gl));
  gl.deleteBuffer = untrack(gl.deleteBuffer.bind(gl));
  gl.deleteTexture = untrack(gl.deleteTexture.bind(gl));
  gl.deleteProgram = untrack(gl.deleteProgram.bind(gl));
  gl.deleteShader = untrack(gl.deleteShader.bind(gl));
  gl.deleteVertexArray = untrack(gl.deleteVertexArray.bind(gl));
  gl.deleteFramebuffer = untrack(gl.deleteFramebuffer.bind(gl));
  gl.deleteRenderbuffer = untrack(gl.deleteRenderbuffer.bind(gl));

  return {
    get created() {
      return created;
    },
    get live() {
      return live.size;
    },
    forgetAll() {
      live.clear();
    },
  };
}
