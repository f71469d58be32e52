/** The one place the server's version string lives (kept in step with package.json). */
export const VERSION = '0.1.0';
