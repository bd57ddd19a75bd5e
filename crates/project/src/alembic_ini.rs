//! What Stratum reads from a team's `alembic.ini`: the database URL and where the revisions
//! live. The file is Python `configparser` syntax with Alembic's `%(here)s` default, so values
//! are interpolated the way Alembic sees them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use configparser::ini::Ini;

use crate::ProjectError;

/// The `[alembic]` section of an `alembic.ini`, interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlembicIni {
    pub path: PathBuf,
    /// `sqlalchemy.url`, when the file sets one (many teams set it in `env.py` instead).
    pub url: Option<String>,
    /// `script_location`, resolved against the file's folder.
    pub script_location: Option<PathBuf>,
    /// `version_locations`, resolved, split on `version_path_separator` (Alembic's default
    /// splits on spaces and commas); empty when not set (then `script_location/versions`).
    pub version_locations: Vec<PathBuf>,
    /// `recursive_version_locations`: revision files in sub-folders count too.
    pub recursive: bool,
    /// `file_template`, interpolated: how Alembic names new revision files
    /// (`%(rev)s_%(slug)s` unless the team changed it).
    pub file_template: String,
}

impl AlembicIni {
    pub fn read(path: &Path) -> Result<Self, ProjectError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProjectError::io(path, e))?;
        let here = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."));
        // Alembic's `%(here)s` is the ini's folder made absolute; relative paths are taken
        // from that folder too, where Alembic is run.
        let here = std::path::absolute(here).unwrap_or_else(|_| here.to_path_buf());
        Self::parse(path, &text, &here)
    }

    fn parse(path: &Path, text: &str, here: &Path) -> Result<Self, ProjectError> {
        let config_error = |message: String| ProjectError::Config {
            path: path.to_path_buf(),
            message,
        };
        let mut ini = Ini::new();
        ini.set_default_section("DEFAULT");
        // Python's configparser has no inline comments: `#` in a password stays a `#`.
        ini.set_inline_comment_symbols(Some(&[]));
        ini.set_multiline(true);
        let map = ini.read(text.to_string()).map_err(config_error)?;
        let Some(section) = map.get("alembic") else {
            return Err(config_error(
                "there is no [alembic] section: is this an Alembic configuration file?".into(),
            ));
        };
        let mut vars: HashMap<String, String> = HashMap::new();
        if let Some(defaults) = map.get("default") {
            vars.extend(
                defaults
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.clone()?))),
            );
        }
        vars.insert("here".into(), here.display().to_string());
        vars.extend(
            section
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.clone()?))),
        );
        let value = |key: &str| -> Result<Option<String>, ProjectError> {
            match vars.get(key) {
                None => Ok(None),
                Some(raw) => interpolate(raw, &vars, 0)
                    .map(|v| Some(v.trim().to_string()).filter(|v| !v.is_empty()))
                    .map_err(|m| config_error(format!("{key}: {m}"))),
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
        let locations = value("version_locations")?.unwrap_or_default();
        let version_locations = match separator.as_deref() {
            Some("os") => locations.split(':').map(str::to_string).collect::<Vec<_>>(),
            Some("space") => locations.split(' ').map(str::to_string).collect(),
            Some("newline") => locations.lines().map(str::to_string).collect(),
            Some(sep) if sep.len() == 1 => locations.split(sep).map(str::to_string).collect(),
            _ => locations.split([' ', ',']).map(str::to_string).collect(),
        };
        Ok(AlembicIni {
            path: path.to_path_buf(),
            url: value("sqlalchemy.url")?,
            script_location: value("script_location")?.map(|s| resolve(&s)),
            version_locations: version_locations
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(resolve)
                .collect(),
            recursive: value("recursive_version_locations")?
                .is_some_and(|v| matches!(v.to_lowercase().as_str(), "true" | "1" | "yes" | "on")),
            file_template: value("file_template")?.unwrap_or_else(|| "%(rev)s_%(slug)s".into()),
        })
    }
}

/// configparser's BasicInterpolation: `%%` is a percent sign, `%(name)s` another option's value.
fn interpolate(raw: &str, vars: &HashMap<String, String>, depth: u8) -> Result<String, String> {
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
            text,
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
