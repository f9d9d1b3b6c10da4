//! The audit log's state in two short lines (System and Reports screens): whether the log
//! runs through the key ring's checkpoint, and the last full verification and its outcome.

use crate::domain::Outcome;
use crate::sanitize::inert;
use crate::service::audit::ChainState;
use crate::tui::theme::Theme;
use ratatui::text::Span;

pub fn checkpoint(state: &ChainState, theme: &Theme) -> Span<'static> {
    match state.checkpoint {
        Some((seq, true)) => Span::styled(
            format!("checkpoint at event {seq}: the log runs through it"),
            theme.ok(),
        ),
        Some((seq, false)) => Span::styled(
            format!("checkpoint at event {seq} DOES NOT MATCH the log: run pecs audit verify"),
            theme.error(),
        ),
        None => Span::styled("no checkpoint yet", theme.dim()),
    }
}

pub fn last_verify(state: &ChainState, theme: &Theme) -> Span<'static> {
    match &state.last_verify {
        Some(e) => {
            let (text, style) = match e.event.outcome {
                Outcome::Ok => ("intact", theme.ok()),
                _ => ("FAILED", theme.error()),
            };
            let who = e.event.actor.name.as_deref().unwrap_or("?");
            Span::styled(
                format!(
                    "last full verification {} UTC by {}: {text}",
                    e.event.at.to_minute(),
                    inert(who)
                ),
                style,
            )
        }
        None => Span::styled(
            "never fully verified yet (pecs audit verify)",
            theme.warning(),
        ),
    }
}
