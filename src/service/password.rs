//! The password policy (after NIST SP 800-63B and OWASP ASVS): 12 to 128 characters of
//! any Unicode, no composition rules; refused when zxcvbn scores it below 3 (with its own
//! feedback sentence) or when it contains the user name or the organisation's name.

use crate::crypto::Password;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// `Ok` when acceptable, else the one sentence that says why not.
pub fn check(
    candidate: &Password,
    username: &str,
    org_code: &str,
    org_name: &str,
) -> Result<(), String> {
    let text = candidate.expose();
    let chars = text.chars().count();
    if chars < MIN_CHARS {
        return Err(format!(
            "A password needs at least {MIN_CHARS} characters (this one has {chars})."
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!(
            "A password can have at most {MAX_CHARS} characters."
        ));
    }
    let lower = zeroize::Zeroizing::new(text.to_lowercase());
    if contains_word(&lower, username) {
        return Err("A password must not contain your user name.".into());
    }
    if contains_word(&lower, org_code) || contains_word(&lower, org_name) {
        return Err("A password must not contain the organisation's name.".into());
    }
    let estimate = zxcvbn::zxcvbn(text, &[username, org_code, org_name]);
    if u8::from(estimate.score()) < 3 {
        let why = estimate
            .feedback()
            .and_then(|f| {
                f.warning()
                    .map(|w| w.to_string())
                    .or_else(|| f.suggestions().first().map(|s| s.to_string()))
            })
            .unwrap_or_else(|| "Add more words or characters that are hard to guess.".into());
        return Err(format!("This password is too easy to guess. {why}"));
    }
    Ok(())
}

/// Names shorter than 3 characters would refuse too much to be useful.
fn contains_word(lower_password: &str, name: &str) -> bool {
    let name = name.trim().to_lowercase();
    name.chars().count() >= 3 && lower_password.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(p: &str) -> Result<(), String> {
        check(&Password::new(p), "carl.caseworker", "PE", "Penham Excel")
    }

    #[test]
    fn the_rules() {
        assert!(verdict("demo-pass-PECS-2026").is_ok());
        assert!(verdict("short").unwrap_err().contains("at least 12"));
        assert!(
            verdict(&"x".repeat(129))
                .unwrap_err()
                .contains("at most 128")
        );
        assert!(
            verdict("my carl.caseworker pw!")
                .unwrap_err()
                .contains("user name")
        );
        assert!(
            verdict("Penham Excel rules 99")
                .unwrap_err()
                .contains("organisation")
        );
        let weak = verdict("passwordpassword").unwrap_err();
        assert!(
            weak.starts_with("This password is too easy to guess."),
            "{weak}"
        );
        // Any Unicode counts by characters, not bytes.
        assert!(verdict("ünïcödé-wörds-ärë-fïnë").is_ok());
    }
}
