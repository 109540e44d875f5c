//! The helper of `bench/index.sh`, through the library's store API (no SQL here):
//! - `index-bench create N`: N real records with realistic fields (French titles with accents,
//!   keywords, a city, a date, a description), 10,000 per transaction, all marked for indexing,
//!   in the store of `$PHR_DATA_DIR` with the structure of `$PHR_CONFIG`;
//! - `index-bench search Q`: Q varied queries (words, rare words, prefixes, phrases, fields,
//!   AND/OR/NOT, date ranges) as `phr-record search -n 20` runs them in-process (parse, search,
//!   read the 20 records), printing each one's latency in microseconds, one per line.
//!
//! Words come from a fixed vocabulary drawn by a seeded xorshift generator, with a skewed
//! distribution (a few words are very common, most are rare), so every run builds the same data.

use phr_tasks::config::Settings;
use phr_tasks::databox::query::{parse, SearchFilter};
use phr_tasks::databox::{NewRecord, Pending};
use phr_tasks::store::Store;
use std::collections::BTreeMap;
use std::time::Instant;

const WORDS: &[&str] = &[
    "été",
    "hiver",
    "printemps",
    "automne",
    "forêt",
    "rivière",
    "montagne",
    "plage",
    "mer",
    "soleil",
    "nuage",
    "pluie",
    "neige",
    "château",
    "église",
    "cathédrale",
    "marché",
    "fête",
    "défilé",
    "concert",
    "théâtre",
    "musée",
    "école",
    "enfants",
    "famille",
    "portrait",
    "paysage",
    "village",
    "quartier",
    "rue",
    "pont",
    "gare",
    "train",
    "bateau",
    "port",
    "pêcheur",
    "vendanges",
    "vigne",
    "récolte",
    "moisson",
    "ferme",
    "troupeau",
    "cheval",
    "vache",
    "chien",
    "chat",
    "oiseau",
    "arbre",
    "fleur",
    "jardin",
    "parc",
    "fontaine",
    "place",
    "mairie",
    "élection",
    "manifestation",
    "grève",
    "usine",
    "ouvrier",
    "atelier",
    "artisan",
    "boulanger",
    "café",
    "restaurant",
    "hôtel",
    "voyage",
    "vacances",
    "randonnée",
    "vélo",
    "course",
    "match",
    "stade",
    "équipe",
    "victoire",
    "cérémonie",
    "mariage",
    "baptême",
    "anniversaire",
    "noël",
    "carnaval",
    "procession",
    "inauguration",
    "exposition",
    "sculpture",
    "peinture",
    "photographe",
    "archives",
    "journal",
    "presse",
    "radio",
    "télévision",
    "nuit",
    "matin",
    "soir",
    "lumière",
    "ombre",
    "reflet",
    "brume",
    "orage",
    "vent",
    "côte",
    "falaise",
    "île",
    "lac",
    "étang",
    "canal",
    "écluse",
    "moulin",
    "phare",
    "dune",
    "sable",
    "rocher",
    "grotte",
    "vallée",
    "colline",
];
const CITIES: &[&str] = &[
    "Orléans",
    "Paris",
    "Lyon",
    "Marseille",
    "Nantes",
    "Tours",
    "Blois",
    "Chartres",
    "Bourges",
    "Limoges",
    "Besançon",
    "Saint-Étienne",
    "Nîmes",
    "Béziers",
    "Périgueux",
    "Angoulême",
    "Évreux",
    "Rouen",
    "Caen",
    "Brest",
    "Quimper",
    "Rennes",
    "Vannes",
    "Lorient",
    "Poitiers",
    "La Rochelle",
    "Bordeaux",
    "Toulouse",
    "Montpellier",
    "Grenoble",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// An index below `n`, small ones far likelier (roughly Zipf-like).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((n as f64).powf(u) - 1.0) as usize % n
    }
    fn word(&mut self) -> String {
        // The vocabulary, then numbered variants of it, for a long tail of rare words.
        let w = WORDS[self.skewed(WORDS.len())];
        match self.next() % 4 {
            0 => format!("{w}{}", self.next() % 500),
            _ => w.to_string(),
        }
    }
    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
}

fn record(rng: &mut Rng, i: u64) -> NewRecord {
    let title_len = 3 + (rng.next() % 4) as usize;
    let keywords = (0..2 + rng.next() % 4).map(|_| rng.word()).collect();
    let date = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:00",
        1990 + rng.next() % 36,
        1 + rng.next() % 12,
        1 + rng.next() % 28,
        rng.next() % 24,
        rng.next() % 60
    );
    let description_len = 10 + (rng.next() % 20) as usize;
    let fields = BTreeMap::from([
        ("Title".to_string(), vec![rng.words(title_len)]),
        ("Keywords".to_string(), keywords),
        ("Ville".to_string(), vec![CITIES[rng.skewed(CITIES.len())].to_string()]),
        ("Date".to_string(), vec![date]),
        ("Description".to_string(), vec![rng.words(description_len)]),
    ]);
    NewRecord {
        collection: "photos".into(),
        original_name: format!("IMG_{i:06}.jpg"),
        mime: Some("image/jpeg".into()),
        size: Some(2_000_000),
        width: Some(4000),
        height: Some(3000),
        pending: Pending::Index.bit(),
        fields,
        ..NewRecord::default()
    }
}

/// A query of one of the classes in `CLASSES`, and its class.
fn query(rng: &mut Rng) -> (&'static str, String) {
    let w = |rng: &mut Rng| WORDS[rng.skewed(WORDS.len())].to_string();
    let class = (rng.next() % 11) as usize;
    let q = match class {
        0 => w(rng),
        1 => format!("{}{}", w(rng), rng.next() % 500),
        2 => format!("{}*", &w(rng).chars().take(3).collect::<String>()),
        3 => format!("\"{} {}\"", w(rng), w(rng)),
        4 => format!("Ville:\"{}\"", CITIES[rng.skewed(CITIES.len())]),
        5 => format!("Keywords:{} {}", w(rng), w(rng)),
        6 => format!("{} OR {}", w(rng), w(rng)),
        7 => format!("{} NOT {}", w(rng), w(rng)),
        8 => {
            let (from, to) = years(rng);
            format!("{} Date:{from}-01-01..{to}-12-31", w(rng))
        }
        9 => {
            let (from, to) = years(rng);
            format!("Date:{from}-06..{to}-06")
        }
        _ => format!("Title:{} {}", w(rng), w(rng)),
    };
    (CLASSES[class], q)
}

/// Two years from 1990 to 2025, in order: a range a user would ask for (a reversed range is
/// empty, answered at once, and would flatter the figures).
fn years(rng: &mut Rng) -> (u64, u64) {
    let (a, b) = (1990 + rng.next() % 36, 1990 + rng.next() % 36);
    (a.min(b), a.max(b))
}

/// The query classes, in `query`'s order.
const CLASSES: [&str; 11] =
    ["word", "rare", "prefix", "phrase", "city", "keyword+word", "or", "not", "word+dates", "dates", "title+word"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(2).and_then(|a| a.parse().ok()).ok_or("usage: index-bench create|search N")?;
    let settings = Settings::load(None, None)?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    match args[1].as_str() {
        "create" => {
            let mut store = Store::open(&settings.db_path())?;
            phr_tasks::databox::sync_structure(&mut store, &settings.structure)?;
            let mut i = 0;
            while i < n {
                let end = (i + 10_000).min(n);
                let batch: Vec<NewRecord> = (i..end).map(|k| record(&mut rng, k)).collect();
                store.write(|tx| batch.iter().try_for_each(|r| tx.records().create(r).map(drop)))?;
                i = end;
            }
        }
        "search" => {
            let store = Store::open_read_only(&settings.db_path())?;
            let filter = SearchFilter { limit: Some(20), ..SearchFilter::default() };
            for _ in 0..n {
                let (class, q) = query(&mut rng);
                let t0 = Instant::now();
                let parsed = parse(&q, &settings.structure)?;
                let hits = store.index().search(&parsed, &filter)?;
                for h in &hits {
                    store.records().get(h.id)?;
                }
                println!("{} {} {class} {q}", t0.elapsed().as_micros(), hits.len());
            }
        }
        other => return Err(format!("unknown subcommand {other}").into()),
    }
    Ok(())
}
