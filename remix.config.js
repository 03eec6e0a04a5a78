/**
 * The Remix Vite plugin's options, in one typed place; vite.config.ts imports them.
 * Remix itself no longer reads this file under Vite: never run the classic `remix build`.
 * @type {import('@remix-run/dev').VitePluginConfig}
 */
export default {
  // One build folder per working copy by default; SAMENSPEL_BUILD_DIR lets parallel work (or a
  // second checkout) build somewhere else without pulling files from under a running test.
  buildDirectory: process.env.SAMENSPEL_BUILD_DIR || 'build',
  ignoredRouteFiles: ['**/*.test.*'],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_singleFetch: true,
    v3_lazyRouteDiscovery: true,
    v3_routeConfig: true,
  },
}
