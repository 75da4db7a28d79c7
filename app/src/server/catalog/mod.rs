//! The institution's side of the product and what learners browse: institutions'
//! profiles and staff, the competency framework, badges (versioned OB 3.0
//! Achievements), micro-credential programs, the public catalog and enrollment.
//!
//! Authorization happens at the edge (server functions and routes ask `authz`); the
//! functions here take the institution they act on and check that everything they
//! touch belongs to it, so one institution's staff can never reach another's catalog.

pub mod badges;
pub mod competencies;
pub mod enrollment;
pub mod images;
pub mod institutions;
pub mod programs;
pub mod staff;

use crate::error::AppError;

/// A required one-line text field, trimmed, at most `max` characters.
pub(crate) fn required(value: &str, label: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(format!("{label} is required.")));
    }
    limited(v, label, max)
}

/// A required name: one line (no control characters at all), trimmed, at most `max`
/// characters.
pub(crate) fn one_line(value: &str, label: &str, max: usize) -> Result<String, AppError> {
    if value.trim().chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "{label} must be one line of text."
        )));
    }
    required(value, label, max)
}

/// An optional text field, trimmed, at most `max` characters; line breaks and tabs are
/// the only control characters it may hold.
pub(crate) fn limited(value: &str, label: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(format!(
            "{label} contains characters that are not text."
        )));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(format!(
            "{label} is too long (at most {max} characters)."
        )));
    }
    Ok(v.to_string())
}

/// An http(s) URL, or empty.
pub(crate) fn web_url(value: &str, label: &str) -> Result<String, AppError> {
    let v = limited(value, label, 500)?;
    if v.is_empty() || v.starts_with("https://") || v.starts_with("http://") {
        Ok(v)
    } else {
        Err(AppError::invalid(format!(
            "{label} must be a web address starting with https://."
        )))
    }
}

/// A lower-case URL slug made from a name (`Data Ethics!` → `data-ethics`).
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars()
        .take(64)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Data Ethics!"), "data-ethics");
        assert_eq!(slugify("  Éthique & IA  "), "thique-ia");
        assert_eq!(slugify("***"), "");
    }

    #[test]
    fn text_rules() {
        assert!(required("  ", "Name", 10).is_err());
        assert!(one_line("North\tUniversity", "Name", 40).is_err());
        assert!(limited("a\u{0}b", "Text", 40).is_err());
        assert_eq!(limited("a\nb", "Text", 40), Ok("a\nb".into()));
        assert_eq!(required(" a ", "Name", 10), Ok("a".into()));
        assert!(limited("abcdef", "Name", 5).is_err());
        assert!(web_url("javascript:alert(1)", "URL").is_err());
        assert_eq!(web_url("", "URL"), Ok(String::new()));
    }
}
