import { call, commands, messageOf } from "../api";

type Props = {
  value: string;
  onChange: (dir: string) => void;
  onError: (message: string | null) => void;
};

/** A migration project's folder: typed, or chosen in the system's folder dialog. */
export function ProjectFolderInput({ value, onChange, onError }: Props) {
  const choose = async () => {
    onError(null);
    try {
      const dir = await call(commands.chooseProjectFolder(value || null));
      if (dir) onChange(dir);
    } catch (e) {
      onError(messageOf(e));
    }
  };
  return (
    <span className="with-button">
      <input name="project_dir" value={value} onChange={(e) => onChange(e.target.value)} placeholder="the folder with stratum.toml or alembic.ini" required />
      <button type="button" data-testid="choose-folder" onClick={choose}>Choose…</button>
    </span>
  );
}
