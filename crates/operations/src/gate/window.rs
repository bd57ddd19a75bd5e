//! A profile's maintenance window, as people write it: `Sat-Sun 22:00-06:00 Europe/Berlin`,
//! `Mon,Wed 01:00-03:00 UTC`, `daily 23:00-01:00`. A window that ends at or before its start
//! runs past midnight into the next day. Without a time zone it is the machine's local time.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceWindow {
    days: [bool; 7],
    start: NaiveTime,
    end: NaiveTime,
    tz: Option<Tz>,
    text: String,
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// "Mon", "monday" and "Thurs" name a day, from Monday = 0.
fn day(word: &str) -> Result<usize, String> {
    let w = word.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|full| w.len() >= 3 && full.starts_with(&w))
        .ok_or_else(|| format!("'{word}' is not a day (Mon, Tue, ... Sun)"))
}

fn days(spec: &str) -> Result<[bool; 7], String> {
    let mut out = [false; 7];
    if matches!(spec.to_ascii_lowercase().as_str(), "daily" | "every" | "*") {
        return Ok([true; 7]);
    }
    for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut d = a;
                loop {
                    out[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => out[day(part)?] = true,
        }
    }
    Ok(out)
}

fn time(s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| format!("'{s}' is not a time of day (HH:MM, 24-hour)"))
}

impl MaintenanceWindow {
    /// Reads `DAYS HH:MM-HH:MM [TIME ZONE]`.
    pub fn parse(text: &str) -> Result<MaintenanceWindow, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let shape =
            "write it as DAYS HH:MM-HH:MM [TIME ZONE], e.g. `Sat-Sun 22:00-06:00 Europe/Berlin`";
        let (day_spec, hours, zone) = match words.as_slice() {
            [d, h] => (*d, *h, None),
            [d, h, z] => (*d, *h, Some(*z)),
            _ => return Err(format!("maintenance window '{text}': {shape}")),
        };
        let bad = |e: String| format!("maintenance window '{text}': {e}; {shape}");
        let (from, to) = hours
            .split_once('-')
            .ok_or_else(|| bad(format!("'{hours}' is not a span of hours")))?;
        let tz = zone
            .map(|z| {
                z.parse::<Tz>().map_err(|_| {
                    bad(format!(
                        "'{z}' is not a time zone (e.g. Europe/Berlin, UTC)"
                    ))
                })
            })
            .transpose()?;
        Ok(MaintenanceWindow {
            days: days(day_spec).map_err(bad)?,
            start: time(from).map_err(bad)?,
            end: time(to).map_err(bad)?,
            tz,
            text: words.join(" "),
        })
    }

    /// Whether `now` falls inside the window.
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        let (weekday, at) = match self.tz {
            Some(tz) => {
                let t = now.with_timezone(&tz);
                (t.weekday(), t.time())
            }
            None => {
                let t = now.with_timezone(&chrono::Local);
                (t.weekday(), t.time())
            }
        };
        let at = at.with_nanosecond(0).unwrap_or(at);
        let today = self.days[weekday.num_days_from_monday() as usize];
        let yesterday = self.days[weekday.pred().num_days_from_monday() as usize];
        if self.start < self.end {
            today && at >= self.start && at < self.end
        } else {
            (today && at >= self.start) || (yesterday && at < self.end)
        }
    }
}

impl fmt::Display for MaintenanceWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        if self.tz.is_none() {
            f.write_str(" (local time)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap_or_else(|| panic!("a valid time"))
    }

    fn window(text: &str) -> MaintenanceWindow {
        MaintenanceWindow::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_overnight_weekend_window_runs_past_midnight() {
        let w = window("Sat-Sun 22:00-06:00 UTC");
        // 2026-12-05 is a Saturday.
        assert!(w.contains(at(2026, 12, 5, 23, 0)));
        assert!(
            w.contains(at(2026, 12, 6, 5, 59)),
            "Sunday morning after Saturday night"
        );
        assert!(
            w.contains(at(2026, 12, 7, 3, 0)),
            "Monday morning after Sunday night"
        );
        assert!(
            !w.contains(at(2026, 12, 7, 22, 30)),
            "Monday night is not in it"
        );
        assert!(!w.contains(at(2026, 12, 5, 21, 59)));
    }

    #[test]
    fn a_window_is_read_in_its_own_time_zone() {
        let w = window("mon,wed 01:00-03:00 Europe/Berlin");
        // 2026-12-02 is a Wednesday; 01:30 in Berlin (winter) is 00:30 UTC.
        assert!(w.contains(at(2026, 12, 2, 0, 30)));
        assert!(!w.contains(at(2026, 12, 2, 2, 30)), "03:30 in Berlin");
        assert!(window("daily 00:00-23:59 UTC").contains(at(2026, 12, 3, 12, 0)));
    }

    #[test]
    fn a_badly_written_window_says_how_to_write_it() {
        for (text, says) in [
            ("weekends", "DAYS HH:MM-HH:MM"),
            ("Sat 2200", "not a span"),
            ("Sat 22-06", "'22' is not a time of day"),
            ("Sat 22:00-25:00", "'25:00' is not a time of day"),
            ("Funday 22:00-23:00", "'Funday' is not a day"),
            ("Sat 22:00-23:00 Mars/Olympus", "not a time zone"),
        ] {
            let e = MaintenanceWindow::parse(text).err().unwrap_or_default();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
