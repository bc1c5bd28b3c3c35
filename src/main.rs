fn main() {
    for a in std::env::args().skip(1) {
        let t = std::fs::read_to_string(&a).unwrap();
        let f = spec::syntax::parse(&t);
        println!("{a}: {} items, {} comments, errors: {:#?}", f.items.len(), f.comments.len(), f.errors);
        for i in &f.items { println!("  {} broken={}", i.code().value, i.broken()); }
    }
}
