import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { ComputedValue, ConvertedView, Direction, FleetStatus, ProfileView, ProfilesFileView, TimelineView, OperationRequest } from "./bindings";
import { call, commands, CommandError, messageOf } from "./api";
import { FIRST_SCREEN_WAIT, type FirstLoad } from "./firstLoad";
import { Sidebar } from "./components/Sidebar";
import { Timeline } from "./components/Timeline";
import { History } from "./components/History";
import { Rehearse } from "./components/Rehearse";
import { Checkup } from "./components/Checkup";
import { About } from "./components/About";
import { OperationFlow } from "./components/OperationFlow";
import { ProfileForm } from "./components/ProfileForm";
import { DiscoverDialog } from "./components/DiscoverDialog";
import { ImportProfilesDialog } from "./components/ImportProfilesDialog";
import { NewRevision } from "./components/NewRevision";
import { Backups } from "./components/Backups";
import { Schema } from "./components/Schema";
import { MoreMenu, type MenuItem } from "./components/MoreMenu";
import { ComputedValuePanel } from "./components/ComputedValue";
import { Fleet } from "./components/Fleet";
import { TrustPrompt } from "./components/TrustPrompt";
import { TrustedFolders } from "./components/TrustedFolders";

type Tab = "timeline" | "schema" | "backups" | "history";

/** What the inline target prompt asks for: a stamp, or an upgrade or downgrade to a typed target. */
type Ask = { kind: Direction };

const ASK_TEXT: Record<Direction, { label: string; help: string; placeholder: string }> = {
  stamp: {
    label: "Stamp the database as",
    help: "Writes the version rows without running any migration: for a database built or restored another way.",
    placeholder: "head, base, a revision id, label@head",
  },
  upgrade: { label: "Upgrade to", help: "Any target Alembic takes.", placeholder: "head, a revision id, +2, label@head" },
  downgrade: { label: "Downgrade to", help: "Any target Alembic takes.", placeholder: "base, a revision id, -2, label@base" },
};

function convertedNote(c: ConvertedView): string {
  const outside =
    c.outside_transaction.length === 0
      ? "Every revision runs inside the transaction."
      : `${c.outside_transaction.length} run outside a transaction, as their autocommit blocks did: ${c.outside_transaction.join(", ")}.`;
  return `Converted ${c.revisions} revision(s) into a ${c.dialect} SQL project in ${c.dir}. ${outside} Point a profile's project folder at it to use it.`;
}

/** `first`: what `main.tsx` asked for while the page started, taken by the first loads. */
export function App({ first }: { first?: FirstLoad } = {}) {
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [timeline, setTimeline] = useState<TimelineView | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>("timeline");
  const [operation, setOperation] = useState<OperationRequest | null>(null);
  const [statuses, setStatuses] = useState<FleetStatus[]>([]);
  const [form, setForm] = useState<{ editing: ProfileView | null } | null>(null);
  const [discovering, setDiscovering] = useState(false);
  // The profiles file chosen for "Import profiles…", while its dialog is open.
  const [importing, setImporting] = useState<ProfilesFileView | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [writing, setWriting] = useState(false);
  const [computed, setComputed] = useState<{ profileId: number; value: ComputedValue } | null>(null);
  const [ask, setAsk] = useState<Ask | null>(null);
  const [rehearsing, setRehearsing] = useState(false);
  const [checkingUp, setCheckingUp] = useState(false);
  const [showAbout, setShowAbout] = useState(false);
  const [showTrusted, setShowTrusted] = useState(false);
  // The fleet view replaces the profile's; once opened it stays mounted (hidden) so its filters
  // and selection survive a look at one profile.
  const [fleetOpen, setFleetOpen] = useState(false);
  const [fleetMounted, setFleetMounted] = useState(false);
  const loads = useRef(0);

  // Every profile's status reads its project and its database: at start-up that work competed
  // with the timeline's own reading of the same project, so the statuses follow the timeline.
  const loadStatuses = useCallback(() => {
    call(commands.profileStatuses()).then(setStatuses).catch(() => {});
  }, []);
  const shown = useRef<number | null>(null);
  shown.current = selected;

  const loadProfiles = useCallback((select?: number) => {
    call(commands.listProfiles())
      .then((ps) => {
        setProfiles(ps);
        const cur = shown.current;
        const next = select ?? (cur !== null && ps.some((p) => p.id === cur) ? cur : ps[0]?.id ?? null);
        // A newly selected profile's timeline loads first, then the statuses (`refresh`).
        if (next === cur) loadStatuses();
        setSelected(next);
      })
      .catch((e) => setError(messageOf(e)));
  }, [loadStatuses]);

  // The first screen comes from `main.tsx`'s early asks, in one render once both answers are in;
  // after FIRST_SCREEN_WAIT the timeline follows as it comes, and profiles not yet listed are
  // asked again. A layout effect, so that it waits on the answers and not on the first paint.
  // `refresh` then takes the same timeline.
  useLayoutEffect(() => {
    if (!first) return loadProfiles();
    let live = true;
    first.arrived(FIRST_SCREEN_WAIT).then(() => {
      if (!live) return;
      const { profiles: listed, timeline: read } = first.takeArrived();
      if (!listed) return loadProfiles();
      setProfiles(listed);
      setSelected(listed[0]?.id ?? null);
      if (read) setTimeline(read);
    });
    return () => {
      live = false;
    };
  }, [first, loadProfiles]);

  const refresh = useCallback(() => {
    if (selected === null) return;
    setLoading(true);
    // Only the latest load counts: a slow answer for a profile no longer selected is dropped.
    const load = ++loads.current;
    (first?.takeTimeline(selected) ?? call(commands.timeline(selected)))
      .then((t) => {
        if (load !== loads.current) return;
        setTimeline(t);
        setError(null);
        setComputed(null);
      })
      .catch((e) => {
        if (load !== loads.current) return;
        if (e instanceof CommandError && e.error.kind === "computed_value") {
          // A revision file computes a value: ask for it instead of showing only an error.
          setComputed({ profileId: selected, value: e.error.message });
          setError(null);
          setTimeline(null);
        } else {
          setComputed(null);
          setError(messageOf(e));
          setTimeline((t) => (t && t.profile.id === selected ? t : null));
        }
      })
      .finally(() => {
        if (load === loads.current) setLoading(false);
        loadStatuses();
      });
  }, [selected, loadStatuses, first]);

  useEffect(refresh, [refresh]);

  const openFleet = useCallback(() => {
    setAsk(null);
    setFleetMounted(true);
    setFleetOpen(true);
  }, []);
  const openProfile = (id: number) => {
    setFleetOpen(false);
    // The same profile again: read it again, it may have changed meanwhile.
    if (id === selected) refresh();
    else setSelected(id);
  };
  const profile = useMemo(() => profiles.find((p) => p.id === selected) ?? null, [profiles, selected]);
  // The timeline of the profile on screen (not the previous one's while a new one loads).
  const current = timeline && profile && timeline.profile.id === profile.id ? timeline : null;
  const alembic = current?.format === "alembic";
  const pending = current?.database.state === "reachable" ? current.database.pending : [];
  // "Up to date" only when the database said so: not while the project or the database
  // cannot be read.
  const upgrade =
    !current
      ? { label: "Upgrade to head", title: loading ? "Reading the project and the database…" : "The project could not be read: see the message below" }
      : current.database.state !== "reachable"
        ? { label: "Upgrade to head", title: `The database cannot be reached: ${current.database.message}` }
        : pending.length > 0
          ? { label: `Upgrade to head (${pending.length} pending)`, title: "Upgrade to the newest revisions (Ctrl+U)" }
          : { label: "Up to date", title: "Every revision is applied" };
  const rows = current?.database.state === "reachable" ? current.database.rows : [];
  // A half-done revision must be resumed first: the runner would refuse anything else.
  const interrupted = current?.database.state === "reachable" ? current.database.interrupted : null;
  const held = interrupted ? `Revision ${interrupted.revision} was interrupted: resume it first (below the database summary)` : null;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (operation || writing || form || ask || checkingUp || showAbout || showTrusted || importing) return;
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === "f") {
        e.preventDefault();
        openFleet();
        return;
      }
      // The fleet view has its own refresh (F5); the profile's shortcuts wait until it is shown.
      if (fleetOpen) return;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "u" && pending.length > 0) {
        e.preventDefault();
        setOperation({ kind: "upgrade", target: "heads" });
      } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "n" && selected !== null) {
        e.preventDefault();
        setWriting(true);
      } else if (e.key === "F5" || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "r")) {
        e.preventDefault();
        refresh();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [operation, writing, form, ask, checkingUp, showAbout, showTrusted, importing, selected, pending.length, refresh, fleetOpen, openFleet]);

  const mergeHeads = () => {
    if (selected === null) return;
    call(commands.mergeHeads(selected, "merge heads"))
      .then((w) => {
        setNote(`Wrote the merge revision ${w.revision} to ${w.file}.`);
        refresh();
      })
      .catch((e) => setError(messageOf(e)));
  };
  const duplicate = (id: number) => {
    call(commands.duplicateProfile(id)).then((p) => loadProfiles(p.id)).catch((e) => setError(messageOf(e)));
  };
  const remove = (p: ProfileView) => {
    if (!window.confirm(`Delete the profile "${p.name}"? The database itself is not touched.`)) return;
    call(commands.deleteProfile(p.id)).then(() => loadProfiles()).catch((e) => setError(messageOf(e)));
  };

  const saveUpgradeSql = () => {
    if (!profile) return;
    call(commands.saveOperationSql(profile.id, { kind: "upgrade", target: "heads" }))
      .then((path) => path && setNote(`Saved the upgrade SQL to ${path}.`))
      .catch((e) => setError(messageOf(e)));
  };
  const exportProfiles = () => {
    call(commands.exportProfiles())
      .then((path) => path && setNote(`Exported the profiles to ${path} (no passwords are in it).`))
      .catch((e) => setError(messageOf(e)));
  };
  const importProfiles = () => {
    call(commands.chooseProfilesFile())
      .then((file) => file && setImporting(file))
      .catch((e) => setError(messageOf(e)));
  };
  const convert = () => {
    if (!profile) return;
    call(commands.convertProject(profile.id))
      .then((c) => c && setNote(convertedNote(c)))
      .catch((e) => setError(messageOf(e)));
  };

  const menu: MenuItem[] = [
    { id: "menu-upgrade-target", label: "Upgrade to…", onSelect: () => setAsk({ kind: "upgrade" }), title: "Upgrade to a target you type (a revision, +N, label@head)" },
    { id: "menu-downgrade-target", label: "Downgrade to…", onSelect: () => setAsk({ kind: "downgrade" }), disabled: rows.length === 0, title: "Downgrade to a target you type (a revision, -N, label@base)" },
    { id: "menu-downgrade-base", label: "Downgrade to base…", onSelect: () => setOperation({ kind: "downgrade", target: "base" }), disabled: rows.length === 0, title: "Run every downgrade: the database goes back to no revision" },
    { id: "menu-stamp", label: "Stamp…", onSelect: () => setAsk({ kind: "stamp" }), title: "Set the version rows without running migrations" },
    { separator: true, id: "sep-1" },
    { id: "menu-merge-heads", label: "Merge heads", onSelect: mergeHeads, disabled: !current || current.heads.length < 2, title: current && current.heads.length > 1 ? "Write a merge revision joining the heads" : "The project has one head: nothing to merge" },
    { id: "menu-rehearse", label: "Rehearse upgrade…", onSelect: () => setRehearsing(true), title: "Upgrade, downgrade and upgrade again every pending revision on a scratch database, and check that each downgrade puts the schema back" },
    { id: "more-checkup", label: "Check-up…", onSelect: () => setCheckingUp(true), title: "Check this database's heads, version rows, drift, tenant audit, safety checks, latest backup and rehearsal, with what to do about each problem" },
    { id: "menu-save-sql", label: "Save upgrade SQL…", onSelect: saveUpgradeSql, title: "Save the SQL of an upgrade to head to a file (alembic upgrade head --sql > preview.sql)" },
    ...(alembic
      ? [{ id: "menu-convert", label: "Convert to SQL project…", onSelect: convert, title: "Write this Alembic project as Stratum SQL revisions for this profile's engine, in a folder you choose" }]
      : []),
    { separator: true, id: "sep-2" },
    { id: "menu-trusted-folders", label: "Trusted folders…", onSelect: () => setShowTrusted(true), title: "The folders whose Alembic code (env.py, revision files) Stratum may run, each revocable" },
    { id: "menu-about", label: "About Stratum", onSelect: () => setShowAbout(true), title: "The version, and where this app keeps its data" },
  ];

  return (
    <div className="app">
      <Sidebar profiles={profiles} selected={selected} onSelect={openProfile} statuses={statuses} onNew={() => setForm({ editing: null })} onDiscover={() => setDiscovering(true)} onExportProfiles={exportProfiles} onImportProfiles={importProfiles} fleet={fleetOpen} onFleet={openFleet} />
      <main className="main">
        {fleetOpen && (error || note) && (
          // What the sidebar's actions say (an export, an import) shows above the fleet as well.
          <div className="main-notes">
            <Notes error={error} note={note} onDismiss={() => setNote(null)} />
          </div>
        )}
        {fleetMounted && <Fleet profiles={profiles} visible={fleetOpen} onOpenProfile={openProfile} onChanged={loadStatuses} />}
        {fleetOpen ? null : profile ? (
          <>
            <header className="toolbar">
              <div className="title-row">
                <div className="title">
                  <h1 title={profile.name}>{profile.name}</h1>
                  {alembic && (
                    <span className="badge alembic" data-testid="alembic-badge" title="An Alembic project: read and planned by Stratum, run through the project's own Alembic">
                      Alembic
                    </span>
                  )}
                  <span className={`env env-${profile.environment}`}>{profile.environment}</span>
                  <span className="muted" title={profile.database}>{profile.database}</span>
                </div>
                <div className="profile-actions">
                  <button onClick={() => setForm({ editing: profile })} className="small" title="Edit this profile">Edit</button>
                  <button onClick={() => duplicate(profile.id)} className="small" title="Duplicate this profile">Duplicate</button>
                  <button onClick={() => remove(profile)} className="small" title="Delete this profile">Delete</button>
                </div>
              </div>
              <div className="tool-row">
                <nav className="tabs" role="tablist">
                  <button role="tab" data-testid="tab-timeline" aria-selected={tab === "timeline"} onClick={() => setTab("timeline")}>
                    Timeline
                  </button>
                  <button role="tab" data-testid="tab-schema" aria-selected={tab === "schema"} onClick={() => setTab("schema")}>
                    Schema
                  </button>
                  <button role="tab" data-testid="tab-backups" aria-selected={tab === "backups"} onClick={() => setTab("backups")}>
                    Backups
                  </button>
                  <button role="tab" data-testid="tab-history" aria-selected={tab === "history"} onClick={() => setTab("history")}>
                    History
                  </button>
                </nav>
                <div className="actions">
                  {current && current.heads.length > 1 && (
                    <button data-testid="merge-heads" onClick={() => mergeHeads()} title="Write a merge revision joining the heads">
                      Merge {current.heads.length} heads
                    </button>
                  )}
                  <button data-testid="new-revision-button" onClick={() => setWriting(true)} title="Write a new, empty revision after the head (Ctrl+N)">
                    New revision
                  </button>
                  <button onClick={refresh} disabled={loading} title="Refresh (F5)">
                    Refresh
                  </button>
                  <button
                    data-testid="downgrade-one"
                    disabled={rows.length === 0 || !!held}
                    onClick={() => setOperation({ kind: "downgrade", target: "-1" })}
                    title={held ?? (rows.length === 0 ? "Nothing is applied: there is nothing to downgrade" : "Undo the last revision applied (alembic downgrade -1)")}
                  >
                    Downgrade one step
                  </button>
                  <button
                    className="primary"
                    data-testid="upgrade-head"
                    disabled={pending.length === 0 || !!held}
                    onClick={() => setOperation({ kind: "upgrade", target: "heads" })}
                    title={held ?? upgrade.title}
                  >
                    {upgrade.label}
                  </button>
                  <MoreMenu items={menu} title="More operations" />
                </div>
              </div>
            </header>
            {ask && (
              <TargetPrompt
                key={ask.kind}
                ask={ask}
                onCancel={() => setAsk(null)}
                onGo={(target) => {
                  setAsk(null);
                  setOperation({ kind: ask.kind, target });
                }}
              />
            )}
            {computed && computed.profileId === profile.id && (
              <ComputedValuePanel
                key={`${computed.value.file}:${computed.value.name}`}
                profile={profile}
                value={computed.value}
                onSupplied={(p) => {
                  loadProfiles(p.id);
                  refresh();
                }}
              />
            )}
            <Notes error={error} note={note} onDismiss={() => setNote(null)} />
            {tab === "timeline" && current && (
              <Timeline view={current} onOperation={setOperation} />
            )}
            {tab === "schema" && <Schema key={profile.id} profile={profile} profiles={profiles} />}
            {tab === "backups" && <Backups key={profile.id} profile={profile} onRestored={refresh} />}
            {tab === "history" && <History profileId={profile.id} />}
          </>
        ) : (
          <div className="empty">
            <h2>No profile yet</h2>
            <p>Stratum creates a demo profile on first start; add your own databases to see them here.</p>
            {error && <div className="banner error">{error}</div>}
          </div>
        )}
      </main>
      {form && (
        <ProfileForm
          editing={form.editing}
          onClose={() => setForm(null)}
          onSaved={(p, n) => {
            setForm(null);
            setFleetOpen(false);
            setNote(n);
            loadProfiles(p.id);
          }}
        />
      )}
      {discovering && (
        <DiscoverDialog
          onClose={() => setDiscovering(false)}
          onAdded={(count) => {
            setDiscovering(false);
            setNote(`Added ${count} profile(s) from the server.`);
            loadProfiles();
          }}
        />
      )}
      {importing && (
        <ImportProfilesDialog
          file={importing}
          onClose={() => setImporting(null)}
          onImported={() => {
            setImporting(null);
            loadProfiles();
          }}
        />
      )}
      {writing && profile && (
        <NewRevision
          profile={profile}
          heads={current?.heads ?? []}
          format={current?.format ?? "native"}
          onClose={(written) => {
            setWriting(false);
            if (written) refresh();
          }}
        />
      )}
      {rehearsing && profile && <Rehearse profile={profile} onClose={() => setRehearsing(false)} />}
      {checkingUp && profile && <Checkup profile={profile} onClose={() => setCheckingUp(false)} />}
      {showAbout && <About onClose={() => setShowAbout(false)} />}
      {showTrusted && <TrustedFolders onClose={() => setShowTrusted(false)} />}
      {operation && profile && (
        <OperationFlow
          profile={profile}
          request={operation}
          onClose={() => {
            setOperation(null);
            refresh();
          }}
        />
      )}
      <TrustPrompt />
    </div>
  );
}

/** A small inline form for a target: Enter goes on to the operation's preview, Escape cancels. */
function TargetPrompt({ ask, onGo, onCancel }: { ask: Ask; onGo: (target: string) => void; onCancel: () => void }) {
  const [target, setTarget] = useState("");
  const text = ASK_TEXT[ask.kind];
  return (
    <form
      className="banner info target-prompt"
      data-testid="target-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (target.trim()) onGo(target.trim());
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <label>
        {text.label}
        <input data-testid={`${ask.kind}-target`} value={target} onChange={(e) => setTarget(e.target.value)} placeholder={text.placeholder} spellCheck={false} autoFocus />
      </label>
      <button type="submit" className="primary small" data-testid="target-go" disabled={!target.trim()}>
        Preview…
      </button>
      <button type="button" className="small" data-testid="target-cancel" onClick={onCancel}>
        Cancel
      </button>
      <span className="muted">{text.help} Nothing runs before the preview.</span>
    </form>
  );
}

/** What the last action said: an error, and a note the user dismisses. */
function Notes({ error, note, onDismiss }: { error: string | null; note: string | null; onDismiss: () => void }) {
  return (
    <>
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      {note && (
        <div className="banner warn note" data-testid="note">
          {note} <button className="small" onClick={onDismiss}>Dismiss</button>
        </div>
      )}
    </>
  );
}
