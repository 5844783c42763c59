//! The questionnaire (问卷) as dangjian keeps it: the XLSForm survey tree, its choice
//! lists and settings. Expressions are kept as written and parsed once on load.

use crate::expr::Expr;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Text in one or more languages: language name as the XLSForm header wrote it
/// (`中文 (zh)`, `English`), or "" for a plain `label` column.
pub type Text = BTreeMap<String, String>;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Questionnaire {
    pub form_id: String,
    pub title: String,
    pub version: String,
    pub default_language: Option<String>,
    /// Every language that some label uses, in first-seen order.
    pub languages: Vec<String>,
    pub style: Option<String>,
    pub items: Vec<Item>,
    /// Choice lists by list name, in file order.
    pub lists: BTreeMap<String, Vec<Choice>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Choice {
    pub name: String,
    pub label: Text,
    /// Extra columns of the choices sheet (used by `choice_filter`).
    pub extra: BTreeMap<String, String>,
}

/// Question types (题型).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Kind {
    SelectOne { list: String, or_other: bool },
    SelectMultiple { list: String, or_other: bool },
    Rank { list: String },
    Text,
    Integer,
    Decimal,
    Range { start: f64, end: f64, step: f64 },
    Date,
    Time,
    DateTime,
    Note,
    Acknowledge,
    Calculate,
    Group,
    Repeat,
    /// Metadata filled by the server: start, end, today, deviceid.
    Meta { what: String },
}

impl Kind {
    /// Whether the respondent answers it (as opposed to groups, notes and metadata).
    pub fn is_question(&self) -> bool {
        !matches!(self, Kind::Note | Kind::Group | Kind::Repeat | Kind::Meta { .. } | Kind::Calculate)
    }
    pub fn list(&self) -> Option<&str> {
        match self {
            Kind::SelectOne { list, .. } | Kind::SelectMultiple { list, .. } | Kind::Rank { list } => Some(list),
            _ => None,
        }
    }
    pub fn or_other(&self) -> bool {
        matches!(self, Kind::SelectOne { or_other: true, .. } | Kind::SelectMultiple { or_other: true, .. })
    }
    /// The XLSForm `type` cell for this kind.
    pub fn xlsform_type(&self) -> String {
        match self {
            Kind::SelectOne { list, or_other } => format!("select_one {list}{}", if *or_other { " or_other" } else { "" }),
            Kind::SelectMultiple { list, or_other } => format!("select_multiple {list}{}", if *or_other { " or_other" } else { "" }),
            Kind::Rank { list } => format!("rank {list}"),
            Kind::Text => "text".into(),
            Kind::Integer => "integer".into(),
            Kind::Decimal => "decimal".into(),
            Kind::Range { .. } => "range".into(),
            Kind::Date => "date".into(),
            Kind::Time => "time".into(),
            Kind::DateTime => "datetime".into(),
            Kind::Note => "note".into(),
            Kind::Acknowledge => "acknowledge".into(),
            Kind::Calculate => "calculate".into(),
            Kind::Group => "begin_group".into(),
            Kind::Repeat => "begin_repeat".into(),
            Kind::Meta { what } => what.clone(),
        }
    }
}

/// One row of the survey sheet (a question, note, group or repeat with its children).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    pub kind: Kind,
    pub name: String,
    pub label: Text,
    pub hint: Text,
    pub required: bool,
    pub required_message: Text,
    pub relevant: Option<Expr>,
    pub constraint: Option<Expr>,
    pub constraint_message: Text,
    pub calculation: Option<Expr>,
    pub choice_filter: Option<Expr>,
    pub repeat_count: Option<Expr>,
    pub appearance: String,
    pub default: Option<String>,
    pub read_only: bool,
    pub parameters: BTreeMap<String, String>,
    pub children: Vec<Item>,
    /// The survey-sheet row it came from (1-based, as Excel shows it).
    pub row: u32,
}

impl Item {
    pub fn new(kind: Kind, name: &str, row: u32) -> Item {
        Item {
            kind,
            name: name.to_string(),
            label: Text::new(),
            hint: Text::new(),
            required: false,
            required_message: Text::new(),
            relevant: None,
            constraint: None,
            constraint_message: Text::new(),
            calculation: None,
            choice_filter: None,
            repeat_count: None,
            appearance: String::new(),
            default: None,
            read_only: false,
            parameters: BTreeMap::new(),
            children: Vec::new(),
            row,
        }
    }
}

impl Questionnaire {
    /// The language shown by default: the form's default, else a Chinese one, else the
    /// plain column, else the first.
    pub fn language(&self) -> String {
        if let Some(l) = &self.default_language {
            if self.languages.iter().any(|x| x == l) {
                return l.clone();
            }
        }
        if let Some(l) = self.languages.iter().find(|l| l.contains("zh") || l.contains("中文") || l.contains("Chinese") || l.contains("chinese")) {
            return l.clone();
        }
        if self.languages.iter().any(|l| l.is_empty()) {
            return String::new();
        }
        self.languages.first().cloned().unwrap_or_default()
    }

    /// `text` in the display language, falling back to any language it has.
    pub fn text<'a>(&self, text: &'a Text) -> &'a str {
        let lang = self.language();
        text.get(&lang).or_else(|| text.get("")).or_else(|| text.values().next()).map(|s| s.as_str()).unwrap_or("")
    }

    /// Every item in document order with its depth-first path of enclosing repeats.
    pub fn walk(&self) -> Vec<(&Item, Option<&Item>)> {
        fn go<'a>(items: &'a [Item], repeat: Option<&'a Item>, out: &mut Vec<(&'a Item, Option<&'a Item>)>) {
            for it in items {
                out.push((it, repeat));
                let r = if it.kind == Kind::Repeat { Some(it) } else { repeat };
                go(&it.children, r, out);
            }
        }
        let mut out = Vec::new();
        go(&self.items, None, &mut out);
        out
    }

    /// The item called `name`, anywhere in the tree.
    pub fn find(&self, name: &str) -> Option<&Item> {
        self.walk().into_iter().map(|(i, _)| i).find(|i| i.name == name)
    }

    pub fn choices(&self, list: &str) -> &[Choice] {
        self.lists.get(list).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Questions outside any repeat that hold a value (the columns of a flat export), in
    /// document order.
    pub fn variables(&self) -> Vec<&Item> {
        self.walk()
            .into_iter()
            .filter(|(i, rep)| rep.is_none() && (i.kind.is_question() || i.kind == Kind::Calculate))
            .map(|(i, _)| i)
            .collect()
    }

    /// Repeats at the top level (exported as their own sheets).
    pub fn repeats(&self) -> Vec<&Item> {
        self.walk().into_iter().filter(|(i, rep)| i.kind == Kind::Repeat && rep.is_none()).map(|(i, _)| i).collect()
    }
}
