import type { RawData } from 'ws';

/** A FIFO whose shift is O(1): a session can hold minutes of frames sent ahead. */
export class Deque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(offset: number): T | undefined {
    return this.items[this.head + offset];
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Puts `item` before the last `fromEnd` items (0: at the end). */
  insertBeforeLast(fromEnd: number, item: T): void {
    const at = Math.max(this.head, this.items.length - fromEnd);
    this.items.splice(at, 0, item);
  }

  /** The items from the back: `fromEnd(0)` is the last. */
  fromEnd(offset: number): T | undefined {
    const index = this.items.length - 1 - offset;
    return index >= this.head ? this.items[index] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export function rawDataToBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

export function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) {
    if (left[index] !== right[index]) return false;
  }
  return true;
}
