import { useCallback, useEffect, useMemo, useState } from "react";
import { commands, type ProfileStatus, type ProfileView, type TimelineView, type OperationRequest } from "./bindings";
import { call, messageOf } from "./api";
import { Sidebar } from "./components/Sidebar";
import { Timeline } from "./components/Timeline";
import { History } from "./components/History";
import { OperationFlow } from "./components/OperationFlow";
import { ProfileForm } from "./components/ProfileForm";
import { NewRevision } from "./components/NewRevision";
import { Backups } from "./components/Backups";
import { Schema } from "./components/Schema";

type Tab = "timeline" | "schema" | "backups" | "history";

export function App() {
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [timeline, setTimeline] = useState<TimelineView | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>("timeline");
  const [operation, setOperation] = useState<OperationRequest | null>(null);
  const [statuses, setStatuses] = useState<ProfileStatus[]>([]);
  const [form, setForm] = useState<{ editing: ProfileView | null } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [writing, setWriting] = useState(false);

  const loadProfiles = useCallback((select?: number) => {
    call(commands.listProfiles())
      .then((ps) => {
        setProfiles(ps);
        setSelected((cur) => select ?? (cur !== null && ps.some((p) => p.id === cur) ? cur : ps[0]?.id ?? null));
      })
      .catch((e) => setError(messageOf(e)));
    call(commands.profileStatuses()).then(setStatuses).catch(() => {});
  }, []);

  useEffect(() => loadProfiles(), [loadProfiles]);

  const refresh = useCallback(() => {
    if (selected === null) return;
    call(commands.profileStatuses()).then(setStatuses).catch(() => {});
    setLoading(true);
    call(commands.timeline(selected))
      .then((t) => {
        setTimeline(t);
        setError(null);
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => setLoading(false));
  }, [selected]);

  useEffect(refresh, [refresh]);

  const pending = timeline?.database.state === "reachable" ? timeline.database.pending : [];

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (operation || writing || form) return;
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
  }, [operation, writing, form, selected, pending.length, refresh]);

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

  const profile = useMemo(() => profiles.find((p) => p.id === selected) ?? null, [profiles, selected]);

  return (
    <div className="app">
      <Sidebar profiles={profiles} selected={selected} onSelect={setSelected} statuses={statuses} onNew={() => setForm({ editing: null })} />
      <main className="main">
        {profile ? (
          <>
            <header className="toolbar">
              <div className="title-row">
                <div className="title">
                  <h1 title={profile.name}>{profile.name}</h1>
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
                  <button role="tab" aria-selected={tab === "timeline"} onClick={() => setTab("timeline")}>
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
                  {timeline && timeline.heads.length > 1 && (
                    <button data-testid="merge-heads" onClick={() => mergeHeads()} title="Write a merge revision joining the heads">
                      Merge {timeline.heads.length} heads
                    </button>
                  )}
                  <button data-testid="new-revision-button" onClick={() => setWriting(true)} title="Write a new, empty revision after the head (Ctrl+N)">
                    New revision
                  </button>
                  <button onClick={refresh} disabled={loading} title="Refresh (F5)">
                    Refresh
                  </button>
                  <button
                    className="primary"
                    data-testid="upgrade-head"
                    disabled={pending.length === 0}
                    onClick={() => setOperation({ kind: "upgrade", target: "heads" })}
                    title="Upgrade to the newest revisions (Ctrl+U)"
                  >
                    {pending.length > 0 ? `Upgrade to head (${pending.length} pending)` : "Up to date"}
                  </button>
                </div>
              </div>
            </header>
            {error && (
              <div className="banner error" role="alert">
                {error}
              </div>
            )}
            {note && (
              <div className="banner warn note" data-testid="note">
                {note} <button className="small" onClick={() => setNote(null)}>Dismiss</button>
              </div>
            )}
            {tab === "timeline" && timeline && (
              <Timeline view={timeline} onOperation={setOperation} />
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
            setNote(n);
            loadProfiles(p.id);
          }}
        />
      )}
      {writing && profile && (
        <NewRevision
          profile={profile}
          heads={timeline?.heads ?? []}
          onClose={(written) => {
            setWriting(false);
            if (written) refresh();
          }}
        />
      )}
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
    </div>
  );
}
