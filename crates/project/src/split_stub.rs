// Temporary stand-in until split.rs lands.
use crate::dialect::Dialect;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub line: usize,
}
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SplitError {
    #[error("unterminated quoted string starting at line {line}")]
    UnterminatedString { line: usize },
}
impl SplitError {
    pub fn line(&self) -> usize {
        match self {
            SplitError::UnterminatedString { line } => *line,
        }
    }
}
pub fn split(body: &str, _d: Dialect) -> Result<Vec<Statement>, SplitError> {
    let mut out = Vec::new();
    let mut line = 1;
    for piece in body.split(';') {
        let lead = piece.len() - piece.trim_start().len();
        let start = line + piece[..lead].matches('\n').count();
        let code: String = piece
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        if !code.trim().is_empty() {
            out.push(Statement {
                sql: piece.trim().to_string(),
                line: start,
            });
        }
        line += piece.matches('\n').count();
    }
    Ok(out)
}
