import { createContext, useContext, type ReactNode } from 'react';
import type { Program } from './program.ts';

const ProgramContext = createContext<Program | null>(null);

/** Makes the program and its outputs reachable from every feature below (the app root). */
export function ProgramProvider({ program, children }: { program: Program; children: ReactNode }) {
  return <ProgramContext.Provider value={program}>{children}</ProgramContext.Provider>;
}

/** The program and its outputs: { engine, live, recording, exporter }. */
export function useProgram(): Program {
  const program = useContext(ProgramContext);
  if (!program) throw new Error('useProgram() needs a <ProgramProvider> above it');
  return program;
}
