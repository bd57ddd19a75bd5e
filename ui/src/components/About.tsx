import { useEffect, useState } from "react";
import { commands, type AboutView } from "../bindings";
import { call, messageOf } from "../api";
import { useEscape } from "./useEscape";

/** The version and where this app keeps its data: what a support engineer asks for first. */
export function About({ onClose }: { onClose: () => void }) {
  const [about, setAbout] = useState<AboutView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);

  const openLogFolder = () => {
    setOpening(true);
    setError(null);
    call(commands.openLogFolder())
      .catch((e) => setError(messageOf(e)))
      .finally(() => setOpening(false));
  };

  useEffect(() => {
    call(commands.about())
      .then(setAbout)
      .catch((e) => setError(messageOf(e)));
  }, []);

  useEscape(onClose);

  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="about-title" data-testid="about">
        <h2 id="about-title">About Stratum</h2>
        {error && <div className="banner error" role="alert">{error}</div>}
        {about && (
          <dl className="about">
            <dt>Version</dt>
            <dd data-testid="about-version">{about.version}</dd>
            <dt>Data folder</dt>
            <dd>
              <code data-testid="about-data-dir">{about.data_dir}</code>
              <div className="muted">Profiles, the history of every run and the backups are kept here; passwords are in the system's keychain. Uninstalling Stratum leaves this folder alone.</div>
            </dd>
            <dt>Log folder</dt>
            <dd>
              <code data-testid="about-log-dir">{about.log_dir}</code>
              <div>
                <button data-testid="about-open-logs" onClick={openLogFolder} disabled={opening}>Open log folder</button>
              </div>
              <div className="muted">Every operation's steps and timings, one file a day, the last two weeks; never a password. Send these files when support asks for the log.</div>
            </dd>
            <dt>Local store</dt>
            <dd>schema {about.store_schema}</dd>
            <dt>Built for</dt>
            <dd>{about.platform}</dd>
            <dt>Command line</dt>
            <dd>
              <code>stratum</code> <span className="muted">(installed beside the app; <code>stratum --help</code>)</span>
            </dd>
          </dl>
        )}
        <div className="modal-actions">
          <button data-testid="about-close" onClick={onClose} autoFocus>Close</button>
        </div>
      </div>
    </div>
  );
}
