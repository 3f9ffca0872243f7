import { create } from 'zustand';

/**
 * State of Present mode that outlives the console (switching to Edit and back keeps it): the help
 * overlay, the slide number being typed, and the program window. Serialisable data only; the
 * window object itself stays in program-window.ts.
 */
export interface PresentState {
  helpOpen: boolean;
  setHelpOpen: (open: boolean) => void;
  /** Digits typed for "number then Enter". */
  typedSlide: string;
  setTypedSlide: (digits: string) => void;
  /** Null while no program window is open; else the display it was sent to. */
  programWindow: { displayLabel: string } | null;
  setProgramWindow: (programWindow: { displayLabel: string } | null) => void;
}

export const usePresentStore = create<PresentState>()((set) => ({
  helpOpen: false,
  setHelpOpen: (helpOpen) => set({ helpOpen }),
  typedSlide: '',
  setTypedSlide: (typedSlide) => set({ typedSlide }),
  programWindow: null,
  setProgramWindow: (programWindow) => set({ programWindow }),
}));
