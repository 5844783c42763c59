//! How fast the reader alone streams a file's rows (no checks, no database): the floor
//! of any import of that file.
//!     cargo run --release -p sheets --example read_speed -- bench/out/roster-1000000.xlsx
fn main() {
    let Some(p) = std::env::args().nth(1) else {
        eprintln!("用法：read_speed 文件.xlsx");
        std::process::exit(2);
    };
    let t = std::time::Instant::now();
    let mut rows = match sheets::read::open(std::path::Path::new(&p), |_| 0) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut n = 0u64;
    loop {
        match rows.next_row() {
            Ok(Some(_)) => n += 1,
            Ok(None) => break,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    println!("{n} 行，{:.2} 秒", t.elapsed().as_secs_f64());
}
