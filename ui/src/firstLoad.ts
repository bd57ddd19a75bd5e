// What the window shows first, asked for while the page is still starting.
//
// The window's first screen waits on two answers: the profiles, then the first profile's
// timeline. Asked from React's effects, the first question waited for the first paint (an
// effect runs once the browser has painted, 70-120 ms for a cold WebKit's first frame) and the
// second for another render and paint. `main.tsx` now asks both as soon as its script runs, so
// they travel while the first frame is drawn, and the app shows them in one render.
import type { ProfileView, TimelineView } from "./bindings";
import { call, commands, type Result } from "./api";
import { commands as generated } from "./bindings";

/**
 * How long the profiles wait for the first timeline, to be shown with it. A timeline read in
 * the usual time is in within 100 ms; a slow one (a database that does not answer) follows the
 * profiles when it comes.
 */
export const FIRST_SCREEN_WAIT = 300;

type Early = { profileId: number; answer: Promise<Result<TimelineView>>; value: TimelineView | null };

/** What had arrived for the first screen. */
export type FirstScreen = { profiles: ProfileView[] | null; timeline: TimelineView | null };

export class FirstLoad {
  private listed: ProfileView[] | null = null;
  private early: Early | null = null;
  private profilesTaken = false;
  private timelineTaken = false;
  private readonly done: Promise<void>;

  constructor() {
    this.done = call(commands.listProfiles()).then(
      async (ps) => {
        this.listed = ps;
        if (!ps[0]) return;
        // Asked without the trust prompt (it may not be mounted yet): a refusal is asked
        // again through it when taken.
        const early: Early = { profileId: ps[0].id, answer: generated.timeline(ps[0].id), value: null };
        this.early = early;
        const r = await early.answer.catch(() => null);
        if (r?.status === "ok") early.value = r.data;
      },
      () => {},
    );
  }

  /** Resolves once the first screen's answers are in, or after `wait` ms, whichever is first. */
  arrived(wait: number): Promise<void> {
    return Promise.race([this.done, new Promise<void>((resolve) => setTimeout(resolve, wait))]);
  }

  /**
   * What has arrived so far, given once (a later listing is asked afresh); the timeline stays
   * for the first `takeTimeline`.
   */
  takeArrived(): FirstScreen {
    if (this.profilesTaken || !this.listed) return { profiles: null, timeline: null };
    this.profilesTaken = true;
    return { profiles: this.listed, timeline: this.early?.value ?? null };
  }

  /** The timeline asked at start-up, to the first asker, when it asks for that profile. */
  takeTimeline(profileId: number): Promise<TimelineView> | null {
    const early = this.early;
    if (this.timelineTaken || !early) return null;
    this.timelineTaken = true;
    if (early.profileId !== profileId) return null;
    return early.answer.then((r) =>
      r.status === "error" && r.error.kind === "untrusted" ? call(commands.timeline(profileId)) : call(Promise.resolve(r)),
    );
  }
}
