// What the fixture migrations did, in order (shared by every app in the test process).
export const fixtureRuns: string[] = []
