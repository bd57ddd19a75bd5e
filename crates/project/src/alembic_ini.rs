//! What Stratum reads from a team's Alembic configuration: the database URL and where the
//! revisions live. `alembic.ini` is Python `configparser` syntax with Alembic's `%(here)s`
//! default, so values are interpolated the way Alembic sees them; since Alembic 1.16 the same
//! options may sit in `[tool.alembic]` of the `pyproject.toml` beside it, which Alembic
//! consults for any option the ini does not set.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use configparser::ini::Ini;

use crate::pyproject::{ToolAlembic, PYPROJECT};
use crate::{ProjectError, ALEMBIC_INI};

/// A project's Alembic options, from the `[alembic]` section of its ini and the
/// `[tool.alembic]` table of its `pyproject.toml`, interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlembicIni {
    /// The `alembic.ini`; a project configured in `pyproject.toml` alone may have none.
    pub path: PathBuf,
    /// The `pyproject.toml` whose `[tool.alembic]` was read, when there is one.
    pub pyproject: Option<PathBuf>,
    /// `sqlalchemy.url`, when the ini sets one (many teams set it in `env.py` instead; Alembic
    /// never reads it from `pyproject.toml`).
    pub url: Option<String>,
    /// `script_location`, resolved against the file's folder.
    pub script_location: Option<PathBuf>,
    /// `version_locations`, resolved: in the ini split on `path_separator` (Alembic's legacy
    /// default splits on spaces and commas), in TOML a list; empty when not set (then
    /// `script_location/versions`).
    pub version_locations: Vec<PathBuf>,
    /// `recursive_version_locations`: revision files in sub-folders count too.
    pub recursive: bool,
    /// `file_template`, interpolated: how Alembic names new revision files
    /// (`%(rev)s_%(slug)s` unless the team changed it).
    pub file_template: String,
}

impl AlembicIni {
    /// Reads an `alembic.ini` (with the `pyproject.toml` beside it), or a `pyproject.toml`
    /// (with the `alembic.ini` beside it, when there is one).
    pub fn read(path: &Path) -> Result<Self, ProjectError> {
        let here = folder_of(path);
        let from_pyproject = path.file_name().is_some_and(|n| n == PYPROJECT);
        let ini_path = if from_pyproject {
            here.join(ALEMBIC_INI)
        } else {
            path.to_path_buf()
        };
        let text = match std::fs::read_to_string(&ini_path) {
            Ok(text) => Some(text),
            Err(e) if from_pyproject && e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(ProjectError::io(&ini_path, e)),
        };
        let toml = ToolAlembic::read(&here.join(PYPROJECT), &here)?;
        if from_pyproject && toml.is_none() {
            return Err(ProjectError::Config {
                path: path.to_path_buf(),
                message:
                    "there is no [tool.alembic] table: is this an Alembic project's pyproject.toml?"
                        .into(),
            });
        }
        Self::parse(&ini_path, text.as_deref(), toml.as_ref(), &here)
    }

    /// The same options from texts already read: `ini` is the `alembic.ini` at `path` (`None`
    /// when there is none), `pyproject` the `pyproject.toml` beside it. Errors name `path` or
    /// that `pyproject.toml`, as [`AlembicIni::read`]'s do.
    pub fn from_texts(
        path: &Path,
        ini: Option<&str>,
        pyproject: Option<&str>,
    ) -> Result<Self, ProjectError> {
        let here = folder_of(path);
        let toml = match pyproject {
            Some(text) => ToolAlembic::parse(&here.join(PYPROJECT), text, &here)?,
            None => None,
        };
        Self::parse(path, ini, toml.as_ref(), &here)
    }

    fn parse(
        path: &Path,
        text: Option<&str>,
        toml: Option<&ToolAlembic>,
        here: &Path,
    ) -> Result<Self, ProjectError> {
        let config_error = |message: String| ProjectError::Config {
            path: path.to_path_buf(),
            message,
        };
        let mut ini = Ini::new();
        ini.set_default_section("DEFAULT");
        // Python's configparser has no inline comments: `#` in a password stays a `#`.
        ini.set_inline_comment_symbols(Some(&[]));
        ini.set_multiline(true);
        let map = match text {
            Some(text) => ini.read(text.to_string()).map_err(config_error)?,
            None => Default::default(),
        };
        let section = map.get("alembic");
        if section.is_none() && toml.is_none() {
            return Err(config_error(
                "there is no [alembic] section: is this an Alembic configuration file?".into(),
            ));
        }
        let mut vars: HashMap<String, String> = HashMap::new();
        if let Some(defaults) = map.get("default") {
            vars.extend(
                defaults
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.clone()?))),
            );
        }
        // configparser's has_option: the section's own options and the defaults, once there
        // is an [alembic] section at all.
        let options: Vec<String> = match section {
            Some(section) => vars.keys().chain(section.keys()).cloned().collect(),
            None => Vec::new(),
        };
        vars.insert("here".into(), here.display().to_string());
        if let Some(section) = section {
            vars.extend(
                section
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.clone()?))),
            );
        }
        let in_ini = |key: &str| options.iter().any(|o| o == key);
        let value = |key: &str| -> Result<Option<String>, ProjectError> {
            match vars.get(key).filter(|_| in_ini(key)) {
                None => Ok(None),
                Some(raw) => interpolate(raw, &vars, 0)
                    .map(|v| Some(v.trim().to_string()).filter(|v| !v.is_empty()))
                    .map_err(|m| config_error(format!("{key}: {m}"))),
            }
        };
        // Alembic's get_alembic_option: the ini first, then [tool.alembic].
        let option = |key: &str| -> Result<Option<String>, ProjectError> {
            match (in_ini(key), toml) {
                (false, Some(toml)) => toml.string(key),
                _ => value(key),
            }
        };
        let resolve = |s: &str| {
            let p = PathBuf::from(s);
            if p.is_absolute() {
                p
            } else {
                here.join(p)
            }
        };
        // `path_separator` is the name since Alembic 1.16; `version_path_separator` before.
        let separator = match value("path_separator")? {
            Some(s) => Some(s),
            None => value("version_path_separator")?,
        };
        let version_locations = match value("version_locations")? {
            Some(locations) => match separator.as_deref() {
                Some("os") => locations.split(':').map(str::to_string).collect::<Vec<_>>(),
                Some("space") => locations.split(' ').map(str::to_string).collect(),
                Some("newline") => locations.lines().map(str::to_string).collect(),
                Some(sep) if sep.len() == 1 => locations.split(sep).map(str::to_string).collect(),
                _ => locations.split([' ', ',']).map(str::to_string).collect(),
            },
            None => match toml {
                Some(toml) => toml.strings("version_locations")?.unwrap_or_default(),
                None => Vec::new(),
            },
        };
        // Alembic compares the ini's text with "true" exactly; TOML must hold a boolean.
        let recursive = match (in_ini("recursive_version_locations"), toml) {
            (false, Some(toml)) => toml
                .boolean("recursive_version_locations")?
                .unwrap_or(false),
            _ => value("recursive_version_locations")?.is_some_and(|v| v == "true"),
        };
        Ok(AlembicIni {
            path: path.to_path_buf(),
            pyproject: toml.map(|t| t.path.clone()),
            url: value("sqlalchemy.url")?,
            script_location: option("script_location")?.map(|s| resolve(&s)),
            version_locations: version_locations
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(resolve)
                .collect(),
            recursive,
            file_template: option("file_template")?.unwrap_or_else(|| "%(rev)s_%(slug)s".into()),
        })
    }

    /// The files this configuration was read from, for messages.
    pub fn source(&self) -> String {
        let ini = self.path.is_file().then(|| self.path.display().to_string());
        let toml = self.pyproject.as_ref().map(|p| p.display().to_string());
        match (ini, toml) {
            (Some(ini), Some(toml)) => format!("{ini} (and {toml})"),
            (None, Some(toml)) => toml,
            (ini, None) => ini.unwrap_or_else(|| self.path.display().to_string()),
        }
    }
}

/// Alembic's `%(here)s`: the folder of the file, made absolute; relative paths are taken from
/// that folder too, where Alembic is run.
fn folder_of(path: &Path) -> PathBuf {
    let here = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::path::absolute(here).unwrap_or_else(|_| here.to_path_buf())
}

/// configparser's BasicInterpolation: `%%` is a percent sign, `%(name)s` another option's value.
pub(crate) fn interpolate(
    raw: &str,
    vars: &HashMap<String, String>,
    depth: u8,
) -> Result<String, String> {
    if depth > 10 {
        return Err("interpolation nests too deeply (does a value refer to itself?)".into());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(named) = after.strip_prefix('(') {
            let Some(close) = named.find(")s") else {
                return Err(format!("a `%(` without its `)s` in {raw:?}"));
            };
            let name = named[..close].to_lowercase();
            let Some(v) = vars.get(&name) else {
                return Err(format!(
                    "refers to %({name})s, which is not set (write %% for a literal %)"
                ));
            };
            out.push_str(&interpolate(v, vars, depth + 1)?);
            rest = &named[close + 2..];
        } else {
            return Err("a lone `%` (write %% for a literal %, as Alembic requires)".into());
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AlembicIni, ProjectError> {
        AlembicIni::parse(
            Path::new("/srv/erp/alembic.ini"),
            Some(text),
            None,
            Path::new("/srv/erp"),
        )
    }

    #[test]
    fn reads_the_url_and_resolves_script_location_against_the_file() {
        let ini = parse(
            "[alembic]\nscript_location = %(here)s/alembic\n\
             sqlalchemy.url = postgresql://erp:s3cr%%t#1@db.local/erp\n\n[loggers]\nkeys = root\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ini.url.as_deref(),
            Some("postgresql://erp:s3cr%t#1@db.local/erp")
        );
        assert_eq!(ini.script_location, Some(PathBuf::from("/srv/erp/alembic")));
    }

    #[test]
    fn a_relative_script_location_is_relative_to_the_file_and_the_url_may_be_absent() {
        let ini =
            parse("[alembic]\nscript_location = migrations\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ini.url, None);
        assert_eq!(
            ini.script_location,
            Some(PathBuf::from("/srv/erp/migrations"))
        );
    }

    #[test]
    fn values_may_refer_to_the_default_section() {
        let ini = parse(
            "[DEFAULT]\nhost = db.local\n[alembic]\nsqlalchemy.url = mysql://root@%(host)s/erp\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ini.url.as_deref(), Some("mysql://root@db.local/erp"));
    }

    #[test]
    fn version_locations_split_as_alembic_splits_them() {
        let ini = parse("[alembic]\nversion_locations = %(here)s/a;%(here)s/b c\npath_separator = ;\nfile_template = %%(year)d_%%(rev)s\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ini.version_locations,
            [PathBuf::from("/srv/erp/a"), PathBuf::from("/srv/erp/b c")]
        );
        assert_eq!(ini.file_template, "%(year)d_%(rev)s");
        let ini =
            parse("[alembic]\nversion_locations = a, b c\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ini.version_locations.len(),
            3,
            "the legacy split: spaces and commas"
        );
        assert_eq!(ini.file_template, "%(rev)s_%(slug)s");
    }

    fn with_pyproject(ini: Option<&str>, toml: &str) -> Result<AlembicIni, ProjectError> {
        let here = Path::new("/srv/erp");
        let toml = ToolAlembic::parse(&here.join(PYPROJECT), toml, here)?;
        AlembicIni::parse(&here.join(ALEMBIC_INI), ini, toml.as_ref(), here)
    }

    #[test]
    fn texts_already_read_give_what_reading_the_files_gives() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let ini =
            "[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = sqlite:///erp.db\n";
        let toml = "[tool.alembic]\nversion_locations = [\"%(here)s/a\", \"b\"]\n";
        let ini_path = dir.path().join(ALEMBIC_INI);
        std::fs::write(&ini_path, ini).expect("written");
        std::fs::write(dir.path().join(PYPROJECT), toml).expect("written");
        let read = AlembicIni::read(&ini_path).unwrap_or_else(|e| panic!("{e}"));
        let from_texts = AlembicIni::from_texts(&ini_path, Some(ini), Some(toml))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_texts, read);
        assert_eq!(read.version_locations.len(), 2);
    }

    #[test]
    fn options_alembic_init_t_pyproject_writes_are_read_from_tool_alembic() {
        let ini = with_pyproject(
            Some("[alembic]\nsqlalchemy.url = sqlite:///erp.db\n\n[loggers]\nkeys = root\n"),
            "[project]\nname = \"erp\"\n\n[tool.alembic]\nscript_location = \"%(here)s/migrations\"\n\
             version_locations = [\"%(here)s/migrations/versions\", \"reports\"]\n\
             recursive_version_locations = true\n\
             file_template = \"%%(year)d_%%(rev)s_%%(slug)s\"\nprepend_sys_path = [\".\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ini.url.as_deref(),
            Some("sqlite:///erp.db"),
            "the URL stays in the ini"
        );
        assert_eq!(
            ini.script_location,
            Some(PathBuf::from("/srv/erp/migrations"))
        );
        assert_eq!(
            ini.version_locations,
            [
                PathBuf::from("/srv/erp/migrations/versions"),
                PathBuf::from("/srv/erp/reports")
            ]
        );
        assert!(ini.recursive);
        assert_eq!(ini.file_template, "%(year)d_%(rev)s_%(slug)s");
        assert_eq!(
            ini.pyproject,
            Some(PathBuf::from("/srv/erp/pyproject.toml"))
        );
    }

    #[test]
    fn an_option_the_ini_sets_wins_over_tool_alembic_as_in_alembic() {
        let ini = with_pyproject(
            Some("[alembic]\nscript_location = legacy\nrecursive_version_locations = True\n"),
            "[tool.alembic]\nscript_location = \"%(here)s/migrations\"\nrecursive_version_locations = true\n\
             version_locations = [\"a\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ini.script_location, Some(PathBuf::from("/srv/erp/legacy")));
        assert!(
            !ini.recursive,
            "Alembic compares the ini's text with \"true\" exactly, and the ini's option wins"
        );
        assert_eq!(
            ini.version_locations,
            [PathBuf::from("/srv/erp/a")],
            "not in the ini: from TOML"
        );
    }

    #[test]
    fn tool_alembic_alone_is_a_configuration_and_a_wrong_type_is_named() {
        let ini = with_pyproject(None, "[tool.alembic]\nscript_location = \"migrations\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ini.script_location,
            Some(PathBuf::from("/srv/erp/migrations"))
        );
        assert_eq!(ini.url, None);
        assert_eq!(ini.source(), "/srv/erp/pyproject.toml");
        for (toml, says) in [
            (
                "[tool.alembic]\nversion_locations = \"a b\"\n",
                "version_locations: a list of strings is expected, not string",
            ),
            (
                "[tool.alembic]\nrecursive_version_locations = \"true\"\n",
                "recursive_version_locations: true or false is expected",
            ),
            (
                "[tool.alembic]\nscript_location = \"50%/x\"\n",
                "script_location: a lone `%`",
            ),
            ("[tool.alembic\nscript_location = 1\n", "pyproject.toml"),
        ] {
            let err = with_pyproject(None, toml)
                .map(|_| ())
                .expect_err("it is refused")
                .to_string();
            assert!(
                err.contains("/srv/erp/pyproject.toml") && err.contains(says),
                "{toml}: {err}"
            );
        }
    }

    #[test]
    fn a_file_without_an_alembic_section_says_so() {
        let err = parse("[database]\nurl = x\n")
            .map(|_| ())
            .expect_err("it is refused")
            .to_string();
        assert!(
            err.contains("/srv/erp/alembic.ini") && err.contains("no [alembic] section"),
            "{err}"
        );
    }

    #[test]
    fn a_lone_percent_or_an_unknown_name_is_a_clear_error() {
        let err = parse("[alembic]\nsqlalchemy.url = postgresql://u:50%off@h/db\n")
            .map(|_| ())
            .expect_err("it is refused")
            .to_string();
        assert!(
            err.contains("sqlalchemy.url") && err.contains("%%"),
            "{err}"
        );
        let err = parse("[alembic]\nsqlalchemy.url = %(nowhere)s\n")
            .map(|_| ())
            .expect_err("it is refused")
            .to_string();
        assert!(err.contains("%(nowhere)s"), "{err}");
    }
}
