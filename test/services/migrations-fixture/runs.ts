// What the fixture migrations did, in order (shared by every app in the test process). Kept on the global object:
// the runner imports migration files as ES modules while mocha may have required this file as CommonJS (tsx does
// both), and each way would otherwise hold its own array.
const shared = globalThis as typeof globalThis & { quillbaseFixtureRuns?: string[] }
export const fixtureRuns: string[] = (shared.quillbaseFixtureRuns ??= [])
