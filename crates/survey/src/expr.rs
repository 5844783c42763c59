//! XLSForm expressions (the XPath subset of `relevant`, `constraint`, `calculation`,
//! `choice_filter`): `${field}`, `.`, literals, `+ - * div mod = != > >= < <= and or`,
//! and the functions below. Parsed once; evaluated on the server for every submission and
//! shipped to the browser as a JSON tree so that the page can show skips live.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Functions an expression may call (XPath / ODK names).
pub const FUNCTIONS: &[&str] = &[
    "selected", "count-selected", "if", "coalesce", "concat", "string-length", "regex", "not", "true", "false",
    "int", "number", "string", "round", "today", "now", "contains", "starts-with", "boolean",
];

/// A parsed expression with its source text (kept for export and error messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub source: String,
    pub node: Node,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "k", rename_all = "lowercase")]
pub enum Node {
    Num { v: f64 },
    Str { v: String },
    /// `${name}`
    Field { name: String },
    /// `.`: the question's own value.
    Current,
    /// A bare name: a choices-sheet column inside `choice_filter` (`cf`, `name`).
    Column { name: String },
    Neg { a: Box<Node> },
    Bin { op: String, a: Box<Node>, b: Box<Node> },
    Call { f: String, args: Vec<Node> },
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}
impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Expr::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Field(String),
    Dot,
    Name(String),
    Op(String),
    LParen,
    RParen,
    Comma,
}

fn tokens(src: &str) -> Result<Vec<Tok>, String> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        match ch {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => { out.push(Tok::LParen); i += 1 }
            ')' => { out.push(Tok::RParen); i += 1 }
            ',' => { out.push(Tok::Comma); i += 1 }
            '+' | '-' | '*' | '=' => { out.push(Tok::Op(ch.to_string())); i += 1 }
            '!' | '<' | '>' => {
                if c.get(i + 1) == Some(&'=') {
                    out.push(Tok::Op(format!("{ch}=")));
                    i += 2;
                } else if ch == '!' {
                    return Err("“!” 后面应为 “=”（不等于写作 !=）".into());
                } else {
                    out.push(Tok::Op(ch.to_string()));
                    i += 1;
                }
            }
            '\'' | '"' => {
                let end = c[i + 1..].iter().position(|x| *x == ch).ok_or("字符串缺少结尾的引号")?;
                out.push(Tok::Str(c[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            '$' => {
                if c.get(i + 1) != Some(&'{') {
                    return Err("“$” 后面应为 {题目名称}".into());
                }
                let end = c[i + 2..].iter().position(|x| *x == '}').ok_or("${ 缺少结尾的 }")?;
                let name: String = c[i + 2..i + 2 + end].iter().collect();
                if name.trim().is_empty() {
                    return Err("${} 中没有题目名称".into());
                }
                out.push(Tok::Field(name.trim().to_string()));
                i += end + 3;
            }
            '.' if !c.get(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                out.push(Tok::Dot);
                i += 1
            }
            d if d.is_ascii_digit() || d == '.' => {
                let start = i;
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                    i += 1;
                }
                let s: String = c[start..i].iter().collect();
                out.push(Tok::Num(s.parse().map_err(|_| format!("数字 {s} 写法不对"))?));
            }
            a if a.is_alphabetic() || a == '_' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || matches!(c[i], '_' | '-' | ':' | '.')) {
                    i += 1;
                }
                // A trailing '-' belongs to a following minus, not the name.
                while i > start + 1 && c[i - 1] == '-' {
                    i -= 1;
                }
                out.push(Tok::Name(c[start..i].iter().collect()));
            }
            other => return Err(format!("不认识的字符 “{other}”")),
        }
    }
    Ok(out)
}

struct Parser {
    t: Vec<Tok>,
    i: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn word_op(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Name(n)) if n == w)
    }
    fn or(&mut self) -> Result<Node, String> {
        let mut a = self.and()?;
        while self.word_op("or") {
            self.i += 1;
            let b = self.and()?;
            a = Node::Bin { op: "or".into(), a: Box::new(a), b: Box::new(b) };
        }
        Ok(a)
    }
    fn and(&mut self) -> Result<Node, String> {
        let mut a = self.cmp()?;
        while self.word_op("and") {
            self.i += 1;
            let b = self.cmp()?;
            a = Node::Bin { op: "and".into(), a: Box::new(a), b: Box::new(b) };
        }
        Ok(a)
    }
    fn cmp(&mut self) -> Result<Node, String> {
        let mut a = self.add()?;
        while let Some(Tok::Op(op)) = self.peek() {
            if !matches!(op.as_str(), "=" | "!=" | "<" | "<=" | ">" | ">=") {
                break;
            }
            let op = op.clone();
            self.i += 1;
            let b = self.add()?;
            a = Node::Bin { op, a: Box::new(a), b: Box::new(b) };
        }
        Ok(a)
    }
    fn add(&mut self) -> Result<Node, String> {
        let mut a = self.mul()?;
        while let Some(Tok::Op(op)) = self.peek() {
            if !matches!(op.as_str(), "+" | "-") {
                break;
            }
            let op = op.clone();
            self.i += 1;
            let b = self.mul()?;
            a = Node::Bin { op, a: Box::new(a), b: Box::new(b) };
        }
        Ok(a)
    }
    fn mul(&mut self) -> Result<Node, String> {
        let mut a = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(o)) if o == "*" => "*",
                Some(Tok::Name(n)) if n == "div" => "div",
                Some(Tok::Name(n)) if n == "mod" => "mod",
                _ => break,
            };
            self.i += 1;
            let b = self.unary()?;
            a = Node::Bin { op: op.into(), a: Box::new(a), b: Box::new(b) };
        }
        Ok(a)
    }
    fn unary(&mut self) -> Result<Node, String> {
        if matches!(self.peek(), Some(Tok::Op(o)) if o == "-") {
            self.i += 1;
            return Ok(Node::Neg { a: Box::new(self.unary()?) });
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Node, String> {
        let t = self.peek().cloned().ok_or("表达式不完整")?;
        self.i += 1;
        match t {
            Tok::Num(v) => Ok(Node::Num { v }),
            Tok::Str(v) => Ok(Node::Str { v }),
            Tok::Field(name) => Ok(Node::Field { name }),
            Tok::Dot => Ok(Node::Current),
            Tok::LParen => {
                let e = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err("括号没有配对".into());
                }
                self.i += 1;
                Ok(e)
            }
            Tok::Name(f) => {
                if self.peek() != Some(&Tok::LParen) {
                    // A bare name is a choices column (choice_filter); elsewhere it is
                    // refused by `bare_names` at load.
                    return Ok(Node::Column { name: f });
                }
                let f = f.strip_prefix("jr:").unwrap_or(&f).to_string();
                if !FUNCTIONS.contains(&f.as_str()) {
                    return Err(format!("不支持函数 {f}()；可用的函数：{}", FUNCTIONS.join("、")));
                }
                self.i += 1;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.i += 1;
                } else {
                    loop {
                        args.push(self.or()?);
                        match self.peek() {
                            Some(Tok::Comma) => self.i += 1,
                            Some(Tok::RParen) => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(format!("函数 {f}() 的括号没有配对")),
                        }
                    }
                }
                Ok(Node::Call { f, args })
            }
            Tok::Op(o) => Err(format!("运算符 “{o}” 前面缺少内容")),
            Tok::RParen => Err("多了一个右括号".into()),
            Tok::Comma => Err("逗号位置不对".into()),
        }
    }
}

impl Expr {
    /// Parses an expression; the error says in Chinese what is wrong.
    pub fn parse(src: &str) -> Result<Expr, String> {
        let t = tokens(src)?;
        if t.is_empty() {
            return Err("表达式为空".into());
        }
        let mut p = Parser { t, i: 0 };
        let node = p.or()?;
        if p.i != p.t.len() {
            return Err(format!("表达式在第 {} 个记号处多出内容", p.i + 1));
        }
        Ok(Expr { source: src.to_string(), node })
    }

    /// Every `${name}` the expression refers to.
    pub fn fields(&self) -> Vec<String> {
        self.collect(|n| match n {
            Node::Field { name } => Some(name),
            _ => None,
        })
    }

    /// Bare names used (only a `choice_filter` may use them: the choices' columns).
    pub fn bare_names(&self) -> Vec<String> {
        self.collect(|n| match n {
            Node::Column { name } => Some(name),
            _ => None,
        })
    }

    /// The names `pick` takes from the nodes of the tree, in order.
    fn collect(&self, pick: fn(&Node) -> Option<&String>) -> Vec<String> {
        fn go(n: &Node, pick: fn(&Node) -> Option<&String>, out: &mut Vec<String>) {
            out.extend(pick(n).cloned());
            match n {
                Node::Neg { a } => go(a, pick, out),
                Node::Bin { a, b, .. } => {
                    go(a, pick, out);
                    go(b, pick, out);
                }
                Node::Call { args, .. } => args.iter().for_each(|a| go(a, pick, out)),
                _ => {}
            }
        }
        let mut v = Vec::new();
        go(&self.node, pick, &mut v);
        v
    }

    pub fn eval(&self, ctx: &dyn Context) -> Value {
        eval(&self.node, ctx)
    }
    pub fn truthy(&self, ctx: &dyn Context) -> bool {
        self.eval(ctx).truthy()
    }
}

/// Where an expression finds values: the answers so far, the current question's value.
pub trait Context {
    /// The value of `${name}` ("" when unanswered).
    fn field(&self, name: &str) -> String;
    /// The value of `.`.
    fn current(&self) -> String;
    /// A bare name in a `choice_filter` (a column of the choices sheet).
    fn column(&self, _name: &str) -> Option<String> {
        None
    }
    /// Today's date (ISO), for `today()`.
    fn today(&self) -> String {
        chrono::Local::now().date_naive().to_string()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f64),
    Str(String),
    Bool(bool),
}

impl Value {
    pub fn num(&self) -> f64 {
        match self {
            Value::Num(n) => *n,
            Value::Bool(b) => *b as i32 as f64,
            Value::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }
    pub fn string(&self) -> String {
        match self {
            Value::Num(n) if n.is_nan() => "NaN".into(),
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Num(n) => n.to_string(),
            Value::Str(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
        }
    }
    pub fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
        }
    }
}

fn compare(op: &str, a: &Value, b: &Value) -> bool {
    use std::cmp::Ordering::*;
    let ord = match (a, b) {
        (Value::Bool(_), _) | (_, Value::Bool(_)) if matches!(op, "=" | "!=") => a.truthy().cmp(&b.truthy()),
        (Value::Str(x), Value::Str(y)) if matches!(op, "=" | "!=") => x.cmp(y),
        _ => {
            let (x, y) = (a.num(), b.num());
            if x.is_nan() || y.is_nan() {
                // XPath: a comparison with NaN is false, except !=
                return op == "!=";
            }
            x.partial_cmp(&y).unwrap_or(Equal)
        }
    };
    match op {
        "=" => ord == Equal,
        "!=" => ord != Equal,
        "<" => ord == Less,
        "<=" => ord != Greater,
        ">" => ord == Greater,
        _ => ord != Less,
    }
}

fn eval(n: &Node, ctx: &dyn Context) -> Value {
    match n {
        Node::Num { v } => Value::Num(*v),
        Node::Str { v } => Value::Str(v.clone()),
        Node::Field { name } => Value::Str(ctx.field(name)),
        Node::Current => Value::Str(ctx.current()),
        Node::Column { name } => Value::Str(ctx.column(name).unwrap_or_default()),
        Node::Neg { a } => Value::Num(-eval(a, ctx).num()),
        Node::Bin { op, a, b } => {
            if op == "and" {
                return Value::Bool(eval(a, ctx).truthy() && eval(b, ctx).truthy());
            }
            if op == "or" {
                return Value::Bool(eval(a, ctx).truthy() || eval(b, ctx).truthy());
            }
            let (x, y) = (eval(a, ctx), eval(b, ctx));
            match op.as_str() {
                "+" => Value::Num(x.num() + y.num()),
                "-" => Value::Num(x.num() - y.num()),
                "*" => Value::Num(x.num() * y.num()),
                "div" => Value::Num(x.num() / y.num()),
                "mod" => Value::Num(x.num() % y.num()),
                _ => Value::Bool(compare(op, &x, &y)),
            }
        }
        Node::Call { f, args } => {
            let arg = |i: usize| args.get(i).map(|a| eval(a, ctx)).unwrap_or(Value::Str(String::new()));
            match f.as_str() {
                "selected" => Value::Bool(arg(0).string().split_whitespace().any(|x| x == arg(1).string().trim())),
                "count-selected" => Value::Num(arg(0).string().split_whitespace().count() as f64),
                "if" => if arg(0).truthy() { arg(1) } else { arg(2) },
                "coalesce" => {
                    let a = arg(0);
                    if a.string().is_empty() { arg(1) } else { a }
                }
                "concat" => Value::Str((0..args.len()).map(|i| arg(i).string()).collect()),
                "string-length" => Value::Num(arg(0).string().chars().count() as f64),
                "regex" => Value::Bool(regex::Regex::new(&arg(1).string()).map(|r| r.is_match(&arg(0).string())).unwrap_or(false)),
                "not" => Value::Bool(!arg(0).truthy()),
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "boolean" => Value::Bool(arg(0).truthy()),
                "int" => Value::Num(arg(0).num().trunc()),
                "number" => Value::Num(arg(0).num()),
                "string" => Value::Str(arg(0).string()),
                "round" => {
                    let p = 10f64.powi(if args.len() > 1 { arg(1).num() as i32 } else { 0 });
                    Value::Num((arg(0).num() * p).round() / p)
                }
                "today" => Value::Str(ctx.today()),
                "now" => Value::Str(chrono::Local::now().naive_local().format("%Y-%m-%dT%H:%M:%S").to_string()),
                "contains" => Value::Bool(arg(0).string().contains(&arg(1).string())),
                "starts-with" => Value::Bool(arg(0).string().starts_with(&arg(1).string())),
                _ => Value::Str(String::new()),
            }
        }
    }
}

/// Checks at load time that a regex() pattern compiles (the browser gets the same one).
pub fn check_patterns(e: &Expr) -> Result<(), String> {
    fn go(n: &Node) -> Result<(), String> {
        match n {
            Node::Call { f, args } => {
                if f == "regex" {
                    if let Some(Node::Str { v }) = args.get(1) {
                        regex::Regex::new(v).map_err(|e| format!("regex() 的正则表达式有误：{e}"))?;
                    }
                }
                args.iter().try_for_each(go)
            }
            Node::Neg { a } => go(a),
            Node::Bin { a, b, .. } => go(a).and_then(|_| go(b)),
            _ => Ok(()),
        }
    }
    go(&e.node)
}

#[cfg(test)]
mod tests {
    use super::*;
    struct C(Vec<(&'static str, &'static str)>, &'static str);
    impl Context for C {
        fn field(&self, n: &str) -> String {
            self.0.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()).unwrap_or_default()
        }
        fn current(&self) -> String {
            self.1.to_string()
        }
    }
    #[test]
    fn evaluates_the_xlsform_subset() {
        let c = C(vec![("age", "35"), ("held", "no"), ("forms", "a c")], "7");
        let t = |s: &str| Expr::parse(s).unwrap().truthy(&c);
        assert!(t("${age} >= 18 and ${age} < 60"));
        assert!(t("${held} = 'no'"));
        assert!(t("selected(${forms}, 'c') and not(selected(${forms}, 'b'))"));
        assert!(t("count-selected(${forms}) = 2"));
        assert!(t(". > 5 and . <= 10"));
        assert!(t("if(${held}='no', 1, 0) = 1"));
        assert!(t("string-length(concat('ab', ${held})) = 4"));
        assert!(t("regex(${age}, '^[0-9]+$')"));
        assert!(t("${age} div 5 = 7 and ${age} mod 10 = 5"));
        assert!(!t("${missing} > 3"));
        assert!(t("-1 < 0"));
        assert!(Expr::parse("foo(1)").unwrap_err().contains("不支持函数 foo()"));
        assert!(Expr::parse("${a} = ").is_err());
        assert!(Expr::parse("(${a} = 1").unwrap_err().contains("括号"));
    }
}
