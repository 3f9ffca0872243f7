// The pdf.js worker as a module worker of our own, so Vite bundles it into out/renderer like any
// other script ('self' under the CSP's worker-src). Importing it is all it takes: pdf.js starts
// listening on the worker's own port when it finds itself in a worker.
import 'pdfjs-dist/build/pdf.worker.min.mjs';
