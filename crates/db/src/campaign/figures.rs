//! What a unit reports, checked before anything is written. Percentages
//! are computed from these, never typed.
use serde::{Deserialize, Serialize};
use time::Date;
use trienkhai_core::{Code, FieldError, fmt, text};

/// Study forms, with their labels.
pub const FORMS: [(&str, &str); 3] = [
    ("in_person", "Trực tiếp"),
    ("online", "Trực tuyến"),
    ("mixed", "Trực tiếp kết hợp trực tuyến"),
];

pub fn form_label(code: &str) -> &'static str {
    FORMS
        .iter()
        .find(|f| f.0 == code)
        .map(|f| f.1)
        .unwrap_or("")
}

/// States in the order a unit goes through them.
pub const NOT_STARTED: i64 = 0;
pub const SCHEDULED: i64 = 1;
pub const HELD: i64 = 2;
pub const PROGRAMME: i64 = 3;
pub const REPORTED: i64 = 4;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(default)]
pub struct Figures {
    pub scheduled_on: Option<String>,
    pub held_on: Option<String>,
    pub held_to: Option<String>,
    pub form: Option<String>,
    pub points: Option<i64>,
    pub in_scope: i64,
    pub present: i64,
    pub absent_excused: i64,
    pub absent_unexcused: i64,
    pub makeup: i64,
    pub non_members: i64,
    pub reflections: i64,
    pub programme_document_id: Option<i64>,
    pub note: String,
}

const MAX: i64 = 999_999_999;

fn date_field(
    errs: &mut Vec<FieldError>,
    field: &'static str,
    v: &mut Option<String>,
) -> Option<Date> {
    let typed = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match fmt::parse_date(typed) {
        Some(d) => {
            *v = Some(fmt::iso(d));
            Some(d)
        }
        None => {
            errs.push(FieldError::new(field, Code::InvalidDate));
            None
        }
    }
}

impl Figures {
    /// Normalises and checks; every problem at once, each at its field.
    /// `launched` and `today` bound the session dates.
    pub fn check(&mut self, launched: Date, today: Date) -> Vec<FieldError> {
        let mut errs = Vec::new();
        self.scheduled_on = self.scheduled_on.take().filter(|s| !s.trim().is_empty());
        self.held_on = self.held_on.take().filter(|s| !s.trim().is_empty());
        self.held_to = self.held_to.take().filter(|s| !s.trim().is_empty());
        date_field(&mut errs, "scheduled_on", &mut self.scheduled_on);
        let held = date_field(&mut errs, "held_on", &mut self.held_on);
        let held_to = date_field(&mut errs, "held_to", &mut self.held_to);
        if let Some(h) = held {
            if h > today {
                errs.push(FieldError::new("held_on", Code::HeldInFuture));
            } else if h < launched {
                errs.push(FieldError::new("held_on", Code::HeldBeforeLaunch));
            }
        }
        if let Some(t) = held_to
            && (held.is_none_or(|h| t < h) || t > today)
        {
            errs.push(FieldError::new("held_to", Code::InvalidDate));
        }
        self.form = self.form.take().filter(|f| !f.is_empty());
        match self.form.as_deref() {
            None | Some("in_person") => self.points = None,
            Some("online" | "mixed") => {
                if !self.points.is_some_and(|p| (1..=100_000).contains(&p)) {
                    errs.push(FieldError::new("points", Code::InvalidFigure));
                }
            }
            Some(_) => errs.push(FieldError::new("form", Code::InvalidChoice)),
        }
        let figures = [
            ("in_scope", self.in_scope),
            ("present", self.present),
            ("absent_excused", self.absent_excused),
            ("absent_unexcused", self.absent_unexcused),
            ("makeup", self.makeup),
            ("non_members", self.non_members),
            ("reflections", self.reflections),
        ];
        let mut in_range = true;
        for (field, v) in figures {
            if !(0..=MAX).contains(&v) {
                errs.push(FieldError::new(field, Code::InvalidFigure));
                in_range = false;
            }
        }
        if in_range {
            let absent = self.absent_excused + self.absent_unexcused;
            if self.present > self.in_scope {
                errs.push(FieldError::new("present", Code::PresentOverScope));
            } else if self.in_scope > 0 && self.present + absent != self.in_scope {
                errs.push(FieldError::new(
                    "absent_unexcused",
                    Code::AttendanceMismatch,
                ));
            }
            if self.makeup > absent {
                errs.push(FieldError::new("makeup", Code::MakeupOverAbsent));
            }
            if self.reflections > self.present + self.makeup {
                errs.push(FieldError::new(
                    "reflections",
                    Code::ReflectionsOverAttended,
                ));
            }
        }
        self.note = text::clean_block(&self.note);
        if self.note.chars().count() > 4000 {
            errs.push(FieldError::new("note", Code::TooLong));
        }
        errs
    }

    /// `check`, plus what a submitted report needs: the session and its
    /// attendance (one message per field).
    pub fn check_submit(&mut self, launched: Date, today: Date) -> Vec<FieldError> {
        let mut errs = self.check(launched, today);
        for e in self.complete() {
            if !errs.iter().any(|x| x.field == e.field) {
                errs.push(e);
            }
        }
        errs
    }

    fn complete(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if self.held_on.is_none() {
            errs.push(FieldError::new("held_on", Code::HeldRequired));
        }
        if self.form.is_none() {
            errs.push(FieldError::new("form", Code::Required));
        }
        if self.in_scope == 0 {
            errs.push(FieldError::new("in_scope", Code::Required));
        }
        errs
    }

    /// The state these figures show, before submission.
    pub fn state(&self) -> i64 {
        match (
            &self.held_on,
            self.programme_document_id,
            &self.scheduled_on,
        ) {
            (Some(_), Some(_), _) => PROGRAMME,
            (Some(_), None, _) => HELD,
            (None, _, Some(_)) => SCHEDULED,
            _ => NOT_STARTED,
        }
    }

    /// Two reports as one, for units merged during a campaign.
    pub fn combine(&self, o: &Figures) -> Figures {
        let min = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(x), Some(y)) => Some(x.min(y).clone()),
            _ => a.clone().or(b.clone()),
        };
        Figures {
            scheduled_on: min(&self.scheduled_on, &o.scheduled_on),
            held_on: min(&self.held_on, &o.held_on),
            held_to: match (&self.held_to, &o.held_to) {
                (Some(x), Some(y)) => Some(x.max(y).clone()),
                (a, b) => a.clone().or(b.clone()),
            },
            form: match (&self.form, &o.form) {
                (Some(x), Some(y)) if x != y => Some("mixed".into()),
                (a, b) => a.clone().or(b.clone()),
            },
            points: match (self.points, o.points) {
                (Some(x), Some(y)) => Some(x + y),
                (a, b) => a.or(b),
            },
            in_scope: self.in_scope + o.in_scope,
            present: self.present + o.present,
            absent_excused: self.absent_excused + o.absent_excused,
            absent_unexcused: self.absent_unexcused + o.absent_unexcused,
            makeup: self.makeup + o.makeup,
            non_members: self.non_members + o.non_members,
            reflections: self.reflections + o.reflections,
            programme_document_id: self.programme_document_id.or(o.programme_document_id),
            note: [self.note.as_str(), o.note.as_str()]
                .iter()
                .filter(|n| !n.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ok() -> Figures {
        Figures {
            held_on: Some("15/12/2020".into()),
            form: Some("in_person".into()),
            in_scope: 35_900,
            present: 35_599,
            absent_excused: 250,
            absent_unexcused: 51,
            makeup: 200,
            reflections: 35_000,
            ..Default::default()
        }
    }

    fn codes(mut f: Figures) -> Vec<(&'static str, Code)> {
        f.check(date!(2020 - 11 - 10), date!(2020 - 12 - 20))
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn impossible_figures_are_refused_with_the_reason() {
        assert!(codes(ok()).is_empty());
        let mut f = ok();
        f.present = 36_000;
        assert_eq!(codes(f), vec![("present", Code::PresentOverScope)]);
        let mut f = ok();
        f.absent_unexcused = 50;
        assert_eq!(
            codes(f),
            vec![("absent_unexcused", Code::AttendanceMismatch)]
        );
        let mut f = ok();
        f.makeup = 302;
        assert_eq!(codes(f), vec![("makeup", Code::MakeupOverAbsent)]);
        let mut f = ok();
        f.reflections = 35_800;
        assert_eq!(
            codes(f),
            vec![("reflections", Code::ReflectionsOverAttended)]
        );
        let mut f = ok();
        f.non_members = -1;
        assert_eq!(codes(f), vec![("non_members", Code::InvalidFigure)]);
        let mut f = ok();
        f.held_on = Some("21/12/2020".into());
        assert_eq!(codes(f), vec![("held_on", Code::HeldInFuture)]);
        let mut f = ok();
        f.held_on = Some("31/02/2020".into());
        assert_eq!(codes(f), vec![("held_on", Code::InvalidDate)]);
        let mut f = ok();
        f.form = Some("online".into());
        assert_eq!(codes(f), vec![("points", Code::InvalidFigure)]);
    }

    #[test]
    fn states_follow_the_steps() {
        let mut f = Figures::default();
        assert_eq!(f.state(), NOT_STARTED);
        f.scheduled_on = Some("2020-12-01".into());
        assert_eq!(f.state(), SCHEDULED);
        f.held_on = Some("2020-12-01".into());
        assert_eq!(f.state(), HELD);
        f.programme_document_id = Some(3);
        assert_eq!(f.state(), PROGRAMME);
    }
}
