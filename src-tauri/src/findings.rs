//! Safety-check findings as the window shows them (the engine finds them: stratum-fleet).

use stratum_checks::Finding;

use crate::views::FindingView;

pub(crate) fn finding_view(f: &Finding) -> FindingView {
    FindingView {
        revision: f.revision.clone(),
        file: f.file.clone(),
        line: u32::try_from(f.line).unwrap_or(u32::MAX),
        rule: f.rule.to_string(),
        severity: format!("{:?}", f.severity).to_lowercase(),
        message: f.message.clone(),
        why: f.why.clone(),
        acknowledged: f.acknowledged.clone(),
        blocks: f.blocks(),
    }
}
