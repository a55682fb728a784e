//! An error only where the reading is sure. A document's findings that something is missing
//! rest on the importer having found and read the part where it would be; where the text stops
//! short, or names units in a way the importer could not place, such a finding becomes a note
//! that asks the reviewer to look, never an error.

use crate::diagnostic::{Finding, Severity};
use crate::import::Reading;
use crate::rules::ast::Expect;
use crate::rules::Registry;

/// Lower to notes the errors of `findings` that the reading of the document cannot support.
pub fn temper(findings: &mut [Finding], reading: &Reading, registry: &Registry) {
    for f in findings
        .iter_mut()
        .filter(|f| f.severity == Severity::Error && !f.fatal)
    {
        let Some((_, rule)) = registry.rule(&f.code) else {
            continue;
        };
        let why = match &rule.expect {
            Expect::Present { .. } | Expect::Target { .. } | Expect::Some { .. } => reading
                .cut
                .as_ref()
                .map(|(_, closing)| format!("文本止于“{closing}”，未读到的部分可能写有此项")),
            Expect::Each { .. } | Expect::Lead { .. } => reading
                .unit_doubt_at(f.span)
                .map(|doubt| doubt.zh().to_owned()),
            _ => None,
        };
        if let Some(why) = why {
            f.severity = Severity::Info;
            f.message = format!("未能确认：{}", f.message).into();
            f.help = Some(
                match &f.help {
                    Some(help) => format!("{why}，请人工核对。{help}"),
                    None => format!("{why}，请人工核对。"),
                }
                .into(),
            );
        }
    }
}
