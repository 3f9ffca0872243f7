import { startDesktopApp } from '../../electron/desktop-app.ts';

startDesktopApp();
