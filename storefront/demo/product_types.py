"""What the demo products of each category look like: the product noun, brands and their models,
price and weight ranges, the attribute values to draw from, and how titles and descriptions read.

A model is a name, or a (name, overrides) pair when the model fixes some values (an iPhone runs
iOS; a PS5 Slim has 1 TB). Overrides are attribute codes (``None``: the attribute does not
apply), or ``price`` (euros) and ``weight`` (kg) ranges. In model names ``#`` becomes a digit and
``@`` a capital letter, so that one model line yields a family of manufacturer references.

Titles are ``str.format`` templates over ``noun``, ``brand``, ``model`` and attribute codes
(rendered as shown to shoppers: ``9 kg``, ``15,6"``, ``Noir``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import EVENT_CATEGORY


@dataclass(frozen=True)
class Chance:
    """A yes/no attribute, yes with probability ``p``."""

    p: float


Model = str | tuple[str, dict]


@dataclass(frozen=True)
class ProductType:
    category: str
    noun: str
    brands: dict[str, tuple[Model, ...]]
    price: tuple[int, int]  # euros, reference price range
    weight: tuple[float, float]  # kg
    values: dict[str, object]  # attribute code -> tuple of choices, range, or Chance
    title: str
    pitches: tuple[str, ...]
    price_by: str | None = None  # the attribute whose rank in its choices drives price and weight
    share: int = 2  # relative number of products of this type
    second_hand: bool = True  # may be sold refurbished or used


def _t(category, noun, brands, price, weight, values, title, pitches, **options) -> ProductType:
    return ProductType(category, noun, brands, price, weight, values, title, pitches, **options)


def _screen(model: str, size: str) -> tuple[str, dict]:
    """A model whose name gives its screen size (``27GR75Q`` is a 27-inch screen)."""
    return model, {"taille_ecran": size}


def _phone(model: str, size: str, low: int, high: int) -> tuple[str, dict]:
    return model, {"taille_ecran": size, "price": (low, high)}


def _load(model: str, kilos: int) -> tuple[str, dict]:
    return model, {"capacite_kg": kilos}


def _cut(model: str, centimetres: int, **fixed) -> tuple[str, dict]:
    return model, {"largeur_coupe": centimetres, **fixed}


def _area(model: str, square_metres: int) -> tuple[str, dict]:
    return model, {"surface_max": square_metres}


LAPTOP_PITCH_STORAGE = (
    "Son SSD de {stockage} démarre le système en quelques secondes et garde vos fichiers à portée "
    "de main."
)

PRODUCT_TYPES: tuple[ProductType, ...] = (
    # --- Informatique ----------------------------------------------------------------------------
    _t(
        "pc-portables-gamer", "PC portable gamer",
        {
            "ASUS": (_screen("ROG Strix G16 G614J#", "16"),
                     _screen("TUF Gaming A15 FA507N#", "15-6")),
            "MSI": (_screen("Katana 15 B13V#K", "15-6"), _screen("Cyborg 15 A12V#", "15-6"),
                    _screen("Raider GE78 HX 14V#", "17-3")),
            "Lenovo": (_screen("Legion 5 16IRX9 83DG00##FR", "16"),
                       _screen("LOQ 15IAX9 83GS00##FR", "15-6")),
            "Acer": (_screen("Nitro V 15 ANV15-51-7##Y", "15-6"),
                     _screen("Predator Helios Neo 16 PHN16-72-9##X", "16")),
            "HP": (_screen("Victus 16-r1##9nf", "16"), _screen("OMEN 17-db0##5nf", "17-3")),
        },
        (899, 2999), (2.1, 3.1),
        {
            "taille_ecran": ("15-6", "16", "17-3"),
            "processeur": ("intel-core-i5", "amd-ryzen-5", "intel-core-i7", "amd-ryzen-7",
                           "intel-core-i9"),
            "memoire_vive": ("16-go", "32-go"),
            "stockage": ("512-go", "1-to", "2-to"),
            "systeme": ("windows-11",),
            "frequence": (144, 165, 240),
            "autonomie_h": range(4, 9),
            "eclairage_rgb": Chance(0.85),
            "couleur": ("noir", "gris"),
            "garantie": (2,),
        },
        "{noun} {brand} {model} {taille_ecran} {processeur} {memoire_vive} RAM {stockage} SSD",
        (
            "Taillé pour le jeu, le {brand} {model} associe un processeur {processeur} et "
            "{memoire_vive} de mémoire vive pour des parties fluides en haute qualité.",
            "Son écran de {taille_ecran} et son refroidissement renforcé vous suivent des longues "
            "sessions en ligne aux jeux les plus exigeants.",
            LAPTOP_PITCH_STORAGE,
        ),
        price_by="processeur",
    ),
    _t(
        "pc-portables-bureautique", "PC portable",
        {
            "HP": (_screen("15-fd0##6nf", "15-6"), _screen("14-ep0##8nf", "14")),
            "Lenovo": (_screen("IdeaPad Slim 3 15IRU9", "15-6"),
                       _screen("ThinkPad E16 Gen 2", "16")),
            "ASUS": (_screen("Vivobook 15 X1504V#", "15-6"),
                     _screen("Vivobook 16 M1605Y#", "16")),
            "Acer": (_screen("Aspire 3 A315-59-5##K", "15-6"),
                     _screen("Aspire Go 14 AG14-31P", "14")),
            "Dell": (_screen("Inspiron 15 3530", "15-6"), _screen("Latitude 3440", "14")),
        },
        (349, 999), (1.5, 2.1),
        {
            "taille_ecran": ("14", "15-6", "16"),
            "processeur": ("intel-core-i5", "amd-ryzen-5", "intel-core-i7", "amd-ryzen-7"),
            "memoire_vive": ("8-go", "16-go"),
            "stockage": ("256-go", "512-go", "1-to"),
            "systeme": ("windows-11",),
            "autonomie_h": range(6, 13),
            "couleur": ("argent", "gris", "noir", "bleu"),
            "garantie": (1, 2),
        },
        "{noun} {brand} {model} {taille_ecran} {processeur} {memoire_vive} {stockage}",
        (
            "Le {brand} {model} est l'ordinateur du quotidien : bureautique, visioconférence, "
            "séries et devoirs, avec un processeur {processeur} et {memoire_vive} de mémoire.",
            "Léger et endurant, il vous accompagne toute la journée, du bureau au canapé.",
            LAPTOP_PITCH_STORAGE,
        ),
        price_by="processeur", share=3,
    ),
    _t(
        "ultraportables", "Ultraportable",
        {
            "Apple": (
                ("MacBook Air 13", {"processeur": "apple-m3", "systeme": "macos",
                                    "taille_ecran": "13-6", "price": (1099, 1699)}),
                ("MacBook Air 15", {"processeur": "apple-m3", "systeme": "macos",
                                    "taille_ecran": "15-3", "price": (1399, 1999)}),
            ),
            "ASUS": (_screen("Zenbook 14 OLED UX3405M#", "14"),
                     _screen("Zenbook S 14 UX5406S#", "14")),
            "Lenovo": (_screen("Yoga Slim 7 14IMH9", "14"),
                       _screen("ThinkPad X1 Carbon Gen 12", "14")),
            "Dell": (_screen("XPS 13 9340", "13-3"),),
            "HP": (_screen("EliteBook 840 G11", "14"), _screen("Spectre x360 14-eu0##0nf", "14")),
            "Microsoft": (("Surface Laptop 7", {"processeur": "snapdragon-x",
                                                "taille_ecran": "13-3"}),),
        },
        (899, 2199), (1.1, 1.5),
        {
            "taille_ecran": ("13-3", "14"),
            "processeur": ("intel-core-ultra-5", "amd-ryzen-7", "intel-core-ultra-7"),
            "memoire_vive": ("16-go", "32-go"),
            "stockage": ("512-go", "1-to"),
            "systeme": ("windows-11",),
            "autonomie_h": range(10, 19),
            "couleur": ("argent", "gris", "bleu", "noir"),
        },
        "{noun} {brand} {model} {taille_ecran} {processeur} {memoire_vive} {stockage}",
        (
            "Fin et léger, le {brand} {model} se glisse dans tous les sacs et tient une journée "
            "de travail loin de la prise.",
            "Son processeur {processeur} et ses {memoire_vive} de mémoire avalent le multitâche, "
            "des tableurs au montage photo.",
            LAPTOP_PITCH_STORAGE,
        ),
        price_by="memoire_vive",
    ),
    _t(
        "pc-gamer", "PC gamer",
        {
            "MSI": ("MAG Infinite S3 14N#", "MPG Trident AS 14N#"),
            "ASUS": ("ROG Strix G16CH", "TUF Gaming T500"),
            "HP": ("OMEN 40L GT21-1##nf", "Victus 15L TG02-1##nf"),
            "Lenovo": ("Legion Tower 5 26IRX9",),
            "Dell": ("Alienware Aurora R16",),
        },
        (999, 3499), (8.0, 16.0),
        {
            "processeur": ("intel-core-i5", "amd-ryzen-5", "intel-core-i7", "amd-ryzen-7",
                           "intel-core-i9", "amd-ryzen-9"),
            "memoire_vive": ("16-go", "32-go", "64-go"),
            "stockage": ("1-to", "2-to", "4-to"),
            "systeme": ("windows-11",),
            "puissance": (650, 750, 850, 1000),
            "eclairage_rgb": Chance(0.9),
            "couleur": ("noir", "blanc"),
        },
        "{noun} {brand} {model} {processeur} {memoire_vive} {stockage} SSD",
        (
            "Le {brand} {model} fait tourner les derniers jeux en haute définition grâce à son "
            "processeur {processeur} et ses {memoire_vive} de mémoire vive.",
            "Son boîtier ventilé et évolutif accueillera vos futures cartes graphiques et "
            "barrettes de mémoire.",
        ),
        price_by="processeur",
    ),
    _t(
        "pc-tout-en-un", "PC tout-en-un",
        {
            "Apple": (("iMac 24 pouces", {"processeur": "apple-m4", "systeme": "macos",
                                          "taille_ecran": "24", "resolution": "4k",
                                          "price": (1499, 2299)}),),
            "HP": (_screen("All-in-One 24-cr0##nf", "23-8"), _screen("Pavilion 27-ca2##nf", "27")),
            "Lenovo": (_screen("IdeaCentre AIO 3 24IAP7", "23-8"),
                       _screen("Yoga AIO 9 32IRH8", "32")),
            "ASUS": (_screen("Vivo AiO V241", "23-8"), _screen("Vivo AiO V470", "27")),
            "Dell": (_screen("Inspiron 24 5420", "23-8"),),
        },
        (549, 1899), (4.5, 9.0),
        {
            "taille_ecran": ("23-8", "27", "32"),
            "processeur": ("intel-core-i5", "amd-ryzen-5", "intel-core-i7", "amd-ryzen-7"),
            "memoire_vive": ("8-go", "16-go", "32-go"),
            "stockage": ("512-go", "1-to"),
            "systeme": ("windows-11",),
            "resolution": ("full-hd", "qhd", "4k"),
            "couleur": ("blanc", "noir", "argent"),
        },
        "{noun} {brand} {model} {taille_ecran} {processeur} {memoire_vive} {stockage}",
        (
            "Écran, unité centrale et haut-parleurs réunis : le {brand} {model} libère le bureau "
            "et s'installe en deux minutes.",
            "Sa grande dalle de {taille_ecran} rend le travail, la visio et les films plus "
            "confortables.",
        ),
        price_by="taille_ecran",
    ),
    _t(
        "ecrans-gamer", "Écran PC gamer",
        {
            "Samsung": (_screen("Odyssey G5 LS27CG55#", "27"), _screen("Odyssey OLED G8", "34")),
            "LG": (_screen("UltraGear 27GR75Q-B", "27"), _screen("UltraGear 32GS95UE", "32")),
            "ASUS": (_screen("TUF Gaming VG27AQ#", "27"), _screen("ROG Swift PG27AQDM", "27")),
            "MSI": (_screen("MAG 274QRF", "27"), _screen("G27C4X", "27")),
            "AOC": (_screen("24G2SPU", "24"), _screen("Q27G3XMN", "27")),
        },
        (149, 999), (3.5, 8.0),
        {
            "taille_ecran": ("24", "27", "32", "34"),
            "resolution": ("full-hd", "qhd", "4k"),
            "type_dalle": ("ips", "va", "oled"),
            "frequence": (144, 165, 180, 240, 360),
            "classe_energetique": ("e", "f", "g"),
            "couleur": ("noir",),
        },
        "{noun} {brand} {model} {taille_ecran} {resolution} {frequence}",
        (
            "Avec sa fréquence de {frequence}, le {brand} {model} affiche les mouvements les plus "
            "rapides sans flou ni déchirement.",
            "Sa dalle {resolution} de {taille_ecran} offre une image nette et des couleurs "
            "fidèles, compatibles G-Sync et FreeSync.",
        ),
        price_by="frequence",
    ),
    _t(
        "ecrans-bureautique", "Écran PC",
        {
            "Dell": (_screen("P2425H", "24"), _screen("S2725DS", "27")),
            "iiyama": (_screen("ProLite XU2493HS", "24"), _screen("ProLite XUB2792QSU", "27")),
            "Philips": (_screen("243V7QDAB", "23-8"), _screen("27E1N3300A", "27")),
            "HP": (_screen("P24 G5", "23-8"), _screen("M27f", "27")),
            "LG": (_screen("24MR400-B", "23-8"), _screen("27MR400", "27")),
        },
        (99, 449), (2.8, 6.5),
        {
            "taille_ecran": ("23-8", "24", "27", "32"),
            "resolution": ("full-hd", "qhd", "4k"),
            "type_dalle": ("ips", "va"),
            "frequence": (60, 75, 100),
            "classe_energetique": ("c", "d", "e"),
            "couleur": ("noir", "blanc", "argent"),
        },
        "{noun} {brand} {model} {taille_ecran} {resolution}",
        (
            "Le {brand} {model} et sa dalle {resolution} de {taille_ecran} offrent un grand "
            "espace de travail, reposant pour les yeux grâce au filtre de lumière bleue.",
            "Pied réglable, bordures fines : il s'installe aussi bien seul qu'en double écran.",
        ),
        price_by="taille_ecran",
    ),
    _t(
        "disques-durs-externes", "Disque dur externe",
        {
            "Western Digital": ("My Passport", "Elements Portable"),
            "Seagate": ("Expansion Portable", "One Touch"),
            "Toshiba": ("Canvio Basics", "Canvio Flex"),
            "LaCie": (("Rugged Mini", {"etanche": True}),),
        },
        (49, 229), (0.13, 0.25),
        {
            "stockage": ("1-to", "2-to", "4-to", "5-to"),
            "connexion": ("usb-a", "usb-c"),
            "etanche": Chance(0.1),
            "couleur": ("noir", "bleu", "rouge", "argent", "blanc"),
            "garantie": (2, 3),
        },
        "{noun} {brand} {model} {stockage} {connexion}",
        (
            "Sauvegardez photos, vidéos et documents sur le {brand} {model} : {stockage} dans la "
            "poche, alimentés directement par le port {connexion}.",
            "Compatible Windows et macOS, il se branche et s'utilise sans installation.",
        ),
        price_by="stockage", share=3,
    ),
    _t(
        "ssd-internes", "SSD interne",
        {
            "Samsung": ("990 PRO", "870 EVO"),
            "Crucial": ("P3 Plus", "T500"),
            "Western Digital": ("WD_BLACK SN850X", "WD Blue SN580"),
            "Kingston": ("NV3", "KC3000"),
        },
        (39, 329), (0.01, 0.06),
        {
            "stockage": ("256-go", "512-go", "1-to", "2-to", "4-to"),
            "vitesse_lecture": (550, 3500, 5000, 7000, 7450),
        },
        "{noun} {brand} {model} {stockage}",
        (
            "Donnez une seconde jeunesse à votre ordinateur ou à votre console : le {brand} "
            "{model} de {stockage} démarre le système et charge les jeux en un éclair.",
            "Installation simple, logiciel de migration fourni par le fabricant.",
        ),
        price_by="stockage", share=3, second_hand=False,
    ),
    _t(
        "cles-usb", "Clé USB",
        {
            "SanDisk": ("Ultra Flair", "Extreme Go"),
            "Kingston": ("DataTraveler Exodia", "DataTraveler Kyson"),
            "PNY": ("Attaché 4",),
            "Samsung": ("BAR Plus", "FIT Plus"),
        },
        (6, 59), (0.005, 0.03),
        {
            "stockage": ("32-go", "64-go", "128-go", "256-go", "512-go"),
            "connexion": ("usb-a", "usb-c"),
            "couleur": ("noir", "argent", "bleu", "rouge"),
        },
        "{noun} {brand} {model} {stockage} {connexion}",
        (
            "La clé {brand} {model} emporte {stockage} de fichiers partout, dans un boîtier "
            "métallique qui se glisse sur un porte-clés.",
        ),
        price_by="stockage", share=3, second_hand=False,
    ),
    _t(
        "claviers", "Clavier",
        {
            "Logitech": ("MX Keys S", "K120", "G915 TKL"),
            "Corsair": ("K70 RGB PRO", "K55 Core"),
            "Razer": ("BlackWidow V4", "Ornata V3"),
            "Cherry": ("KC 1000", "Stream Desktop"),
        },
        (15, 229), (0.4, 1.3),
        {
            "connexion": ("filaire", "sans-fil", "bluetooth"),
            "type_touches": ("membrane", "ciseaux", "mecanique"),
            "eclairage_rgb": Chance(0.4),
            "couleur": ("noir", "blanc", "gris"),
        },
        "{noun} {brand} {model} AZERTY {connexion}",
        (
            "Le clavier {brand} {model} en disposition AZERTY française offre une frappe précise "
            "et silencieuse, pour écrire ou jouer des heures durant.",
        ),
        price_by="type_touches", share=2,
    ),
    _t(
        "souris", "Souris",
        {
            "Logitech": ("MX Master 3S", "G502 X", "M185"),
            "Razer": ("DeathAdder V3", "Basilisk V3"),
            "Corsair": ("Harpoon RGB", "M75"),
            "SteelSeries": ("Rival 3", "Aerox 5"),
        },
        (9, 159), (0.06, 0.15),
        {
            "connexion": ("filaire", "sans-fil", "bluetooth"),
            "dpi": (1000, 4000, 8000, 16000, 26000, 30000),
            "eclairage_rgb": Chance(0.5),
            "couleur": ("noir", "blanc", "gris", "rose"),
        },
        "{noun} {brand} {model} {connexion}",
        (
            "Prise en main confortable et capteur précis : la souris {brand} {model} suit chaque "
            "geste, au bureau comme en jeu.",
        ),
        price_by="dpi",
    ),
    _t(
        "imprimantes", "Imprimante multifonction",
        {
            "HP": (("DeskJet 2820e", {"type_imprimante": "jet-encre"}),
                   ("OfficeJet Pro 9120e", {"type_imprimante": "jet-encre"}),
                   ("LaserJet M234sdwe", {"type_imprimante": "laser"})),
            "Epson": (("EcoTank ET-2860", {"type_imprimante": "reservoirs"}),
                      ("Expression Home XP-2200", {"type_imprimante": "jet-encre"})),
            "Canon": (("PIXMA TS5350i", {"type_imprimante": "jet-encre"}),
                      ("i-SENSYS MF657Cdw", {"type_imprimante": "laser-couleur"})),
            "Brother": (("DCP-L2620DW", {"type_imprimante": "laser"}),
                        ("MFC-J4540DW", {"type_imprimante": "jet-encre"})),
        },
        (49, 449), (3.5, 17.0),
        {
            "type_imprimante": ("jet-encre", "reservoirs", "laser", "laser-couleur"),
            "connexion": ("wifi", "usb-a"),
            "sans_fil": Chance(0.85),
            "couleur": ("blanc", "noir", "gris"),
        },
        "{noun} {brand} {model} {type_imprimante}",
        (
            "Imprimez, copiez et numérisez depuis votre ordinateur ou votre smartphone avec la "
            "{brand} {model}.",
            "L'application du fabricant vous prévient avant que l'encre ou le toner ne manque.",
        ),
        price_by="type_imprimante",
    ),
    # --- Téléphonie ------------------------------------------------------------------------------
    _t(
        "smartphones-android", "Smartphone",
        {
            "Samsung": (_phone("Galaxy S24", "6-1", 699, 959),
                        _phone("Galaxy S24 Ultra", "6-9", 1099, 1569),
                        _phone("Galaxy A55", "6-7", 349, 479),
                        _phone("Galaxy A15", "6-7", 149, 219),
                        _phone("Galaxy Z Flip6", "6-7", 999, 1319)),
            "Xiaomi": (_phone("Redmi Note 13 Pro", "6-7", 269, 399),
                       _phone("Xiaomi 14T", "6-7", 549, 749),
                       _phone("Redmi 13C", "6-7", 119, 169)),
            "Google": (_phone("Pixel 9", "6-3", 799, 959),
                       _phone("Pixel 9 Pro", "6-3", 1099, 1349),
                       _phone("Pixel 8a", "6-1", 449, 559)),
            "OnePlus": (_phone("12R", "6-7", 499, 649), _phone("Nord 4", "6-7", 399, 529)),
            "Motorola": (_phone("moto g85", "6-7", 249, 329),
                         _phone("edge 50 fusion", "6-7", 349, 449)),
        },
        (149, 1399), (0.17, 0.23),
        {
            "taille_ecran": ("6-1", "6-3", "6-7"),
            "stockage": ("128-go", "256-go", "512-go"),
            "systeme": ("android",),
            "compatible_5g": Chance(0.9),
            "capacite_mah": (4000, 4500, 5000, 5500),
            "memoire_vive": ("8-go", "16-go"),
            "couleur": ("noir", "bleu", "vert", "gris", "violet", "blanc"),
        },
        "{noun} {brand} {model} {stockage} {couleur}",
        (
            "Le {brand} {model} réunit un bel écran de {taille_ecran}, un appareil photo polyvalent "
            "et une batterie qui tient la journée.",
            "Avec {stockage} de stockage, gardez toutes vos photos, vidéos et applications.",
        ),
        price_by="stockage", share=4,
    ),
    _t(
        "iphone", "iPhone",
        {
            "Apple": (("iPhone 16", {"taille_ecran": "6-1", "price": (969, 1229)}),
                      ("iPhone 16 Plus", {"taille_ecran": "6-7", "price": (1119, 1379)}),
                      ("iPhone 16 Pro", {"taille_ecran": "6-3", "price": (1229, 1729)}),
                      ("iPhone 16 Pro Max", {"taille_ecran": "6-9", "price": (1479, 1979)}),
                      ("iPhone 15", {"taille_ecran": "6-1", "price": (819, 1079)})),
        },
        (819, 1979), (0.17, 0.23),
        {
            "stockage": ("128-go", "256-go", "512-go"),
            "systeme": ("ios",),
            "compatible_5g": Chance(1.0),
            "capacite_mah": (3349, 3561, 4422, 4685),
            "couleur": ("noir", "blanc", "rose", "bleu", "vert"),
        },
        "{brand} {model} {stockage} {couleur}",
        (
            "L'{model} d'{brand} allie un écran Super Retina XDR de {taille_ecran}, un appareil "
            "photo avancé et une autonomie pour toute la journée.",
            "{stockage} de stockage pour vos photos, vidéos 4K et applications.",
        ),
        price_by="stockage", share=3,
    ),
    _t(
        "montres-connectees", "Montre connectée",
        {
            "Apple": (("Watch Series 10", {"systeme": "watchos", "price": (449, 899)}),
                      ("Watch SE", {"systeme": "watchos", "price": (279, 349)})),
            "Samsung": (("Galaxy Watch7", {"systeme": "wear-os"}),),
            "Garmin": (("Venu 3", {"systeme": None}), ("Forerunner 265", {"systeme": None})),
            "Google": (("Pixel Watch 3", {"systeme": "wear-os"}),),
            "Withings": (("ScanWatch 2", {"systeme": None}),),
        },
        (199, 599), (0.03, 0.07),
        {
            "taille_ecran": ("1-4", "1-9"),
            "systeme": ("wear-os",),
            "autonomie_h": (18, 36, 48, 72, 120, 240, 336),
            "etanche": Chance(0.95),
            "couleur": ("noir", "argent", "rose", "or", "bleu"),
        },
        "{noun} {brand} {model} {couleur}",
        (
            "La {brand} {model} suit votre activité, votre sommeil et votre rythme cardiaque, et "
            "affiche vos notifications au poignet.",
            "GPS intégré et dizaines de modes sportifs pour courir, nager ou pédaler.",
        ),
        price_by="autonomie_h",
    ),
    _t(
        "bracelets-connectes", "Bracelet connecté",
        {
            "Xiaomi": ("Smart Band 9", "Smart Band 8 Active"),
            "Fitbit": ("Charge 6", "Inspire 3"),
            "Huawei": ("Band 9",),
            "Garmin": ("vívosmart 5",),
        },
        (29, 169), (0.02, 0.04),
        {
            "autonomie_h": (120, 168, 240, 336),
            "etanche": Chance(0.9),
            "couleur": ("noir", "rose", "bleu", "vert", "blanc"),
        },
        "{noun} {brand} {model} {couleur}",
        (
            "Pas, sommeil, fréquence cardiaque : le {brand} {model} mesure l'essentiel et tient "
            "des jours sans recharge.",
        ),
    ),
    _t(
        "chargeurs", "Chargeur secteur",
        {
            "Anker": ("Nano 735 GaN", "313"),
            "Belkin": ("BoostCharge Pro",),
            "Samsung": ("EP-T2510",),
            "Apple": ("Adaptateur secteur USB-C",),
            "Ugreen": ("Nexode",),
        },
        (12, 89), (0.04, 0.25),
        {
            "puissance": (20, 25, 30, 45, 65, 100, 140),
            "connexion": ("usb-c", "usb-a"),
            "couleur": ("blanc", "noir"),
        },
        "{noun} {brand} {model} {puissance} {connexion}",
        (
            "Le chargeur {brand} {model} délivre {puissance} pour recharger rapidement smartphone, "
            "tablette ou ordinateur portable.",
            "Protections contre la surchauffe et les surtensions.",
        ),
        price_by="puissance", share=3, second_hand=False,
    ),
    _t(
        "batteries-externes", "Batterie externe",
        {
            "Anker": ("PowerCore Slim", "737"),
            "Xiaomi": ("Mi Power Bank 3",),
            "Belkin": ("BoostCharge",),
            "Samsung": ("EB-P3400",),
            "Ugreen": ("Nexode Power Bank",),
        },
        (15, 149), (0.1, 0.65),
        {
            "capacite_mah": (5000, 10000, 20000, 24000, 27650),
            "puissance": (12, 20, 22, 30, 65, 140),
            "connexion": ("usb-c", "usb-a"),
            "couleur": ("noir", "blanc", "bleu"),
        },
        "{noun} {brand} {model} {capacite_mah}",
        (
            "Avec {capacite_mah}, la batterie {brand} {model} recharge plusieurs fois votre "
            "smartphone en voyage, en festival ou en randonnée.",
        ),
        price_by="capacite_mah", second_hand=False,
    ),
    # --- TV & Son --------------------------------------------------------------------------------
    _t(
        "tv-oled", "TV OLED",
        {
            "LG": ("OLED evo C4", "OLED B4", "OLED evo G4"),
            "Sony": ("BRAVIA 8", "BRAVIA XR A80L"),
            "Samsung": ("S90D", "S95D"),
            "Philips": ("OLED809", "OLED759"),
            "Panasonic": ("TV-Z90A",),
        },
        (999, 3999), (14.0, 35.0),
        {
            "taille_ecran": ("55", "65", "77"),
            "resolution": ("4k",),
            "type_dalle": ("oled",),
            "classe_energetique": ("e", "f", "g"),
            "smart_tv": Chance(1.0),
            "frequence": (100, 120, 144),
            "couleur": ("noir", "argent"),
            "garantie": (2, 5),
        },
        "{noun} {brand} {model} {taille_ecran} {resolution}",
        (
            "Noirs parfaits et contraste infini : le téléviseur {brand} {model} de {taille_ecran} "
            "sublime films, séries et matchs en {resolution}.",
            "Compatible Dolby Vision et Dolby Atmos, il intègre les applications de streaming et "
            "deux ports HDMI 2.1 pour les consoles.",
        ),
        price_by="taille_ecran", share=2,
    ),
    _t(
        "tv-led-qled", "TV",
        {
            "Samsung": (("QLED Q60D", {"type_dalle": "qled"}),
                        ("Neo QLED QN90D", {"type_dalle": "mini-led"}),
                        ("Crystal UHD DU7105", {"type_dalle": "led"})),
            "TCL": (("C655", {"type_dalle": "qled"}), ("C805", {"type_dalle": "mini-led"}),
                    ("P755", {"type_dalle": "led"})),
            "Hisense": (("E7NQ", {"type_dalle": "qled"}), ("U7NQ", {"type_dalle": "mini-led"}),
                        ("A6N", {"type_dalle": "led"})),
            "Philips": (("The One PUS8909", {"type_dalle": "led"}),
                        ("Ambilight PUS8009", {"type_dalle": "led"})),
            "Xiaomi": (("TV A Pro", {"type_dalle": "qled"}), ("TV Q2", {"type_dalle": "qled"})),
            "Thomson": (("QLED Plus Q75", {"type_dalle": "qled"}),
                        ("Android TV UA6", {"type_dalle": "led"})),
        },
        (279, 2499), (7.0, 40.0),
        {
            "taille_ecran": ("43", "50", "55", "65", "75", "85"),
            "resolution": ("4k",),
            "type_dalle": ("led", "qled", "mini-led"),
            "classe_energetique": ("e", "f", "g"),
            "smart_tv": Chance(0.97),
            "frequence": (50, 60, 100, 120, 144),
            "couleur": ("noir", "gris"),
            "garantie": (2,),
        },
        "{noun} {type_dalle} {brand} {model} {taille_ecran} {resolution}",
        (
            "Le téléviseur {brand} {model} affiche une image {resolution} lumineuse et contrastée "
            "sur {taille_ecran}, même dans un salon baigné de soleil.",
            "Applications de streaming, assistant vocal et mode jeu à faible latence intégrés.",
        ),
        price_by="taille_ecran", share=4,
    ),
    _t(
        "casques-audio", "Casque audio",
        {
            "Sony": ("WH-1000XM5", "WH-CH720N"),
            "Bose": ("QuietComfort Ultra", "QuietComfort 45"),
            "JBL": ("Tune 770NC", "Live 670NC"),
            "Sennheiser": ("Momentum 4 Wireless",
                           ("HD 560S", {"connexion": "filaire", "reduction_bruit": False,
                                        "autonomie_h": None})),
            "Apple": ("AirPods Max",),
            "Marshall": ("Major V", "Monitor III A.N.C."),
        },
        (49, 579), (0.2, 0.39),
        {
            "connexion": ("bluetooth",),
            "reduction_bruit": Chance(0.8),
            "autonomie_h": (20, 30, 40, 50, 60, 76, 100),
            "couleur": ("noir", "blanc", "bleu", "beige", "argent"),
        },
        "{noun} {brand} {model} {connexion} {couleur}",
        (
            "Le casque {brand} {model} délivre un son riche et détaillé, avec des basses "
            "profondes et des coussinets à mémoire de forme.",
            "Pliable, il se range dans son étui pour le train ou l'avion.",
        ),
        share=3,
    ),
    _t(
        "enceintes-bluetooth", "Enceinte Bluetooth",
        {
            "JBL": ("Flip 6", "Charge 5", "Go 4", "PartyBox 110"),
            "Bose": ("SoundLink Flex", "SoundLink Max"),
            "Ultimate Ears": ("BOOM 4", "WONDERBOOM 4"),
            "Marshall": ("Emberton III", "Stanmore III"),
            "Sony": ("ULT Field 1",),
        },
        (39, 399), (0.3, 5.0),
        {
            "puissance": (5, 10, 20, 30, 40, 80, 160),
            "autonomie_h": (10, 12, 15, 20, 24, 30),
            "etanche": Chance(0.7),
            "couleur": ("noir", "bleu", "rouge", "vert", "beige", "rose"),
        },
        "{noun} {brand} {model} {couleur}",
        (
            "Compacte et robuste, l'enceinte {brand} {model} met l'ambiance partout, du jardin à "
            "la plage.",
            "Appairez-en deux pour un son stéréo, et pilotez-les depuis l'application.",
        ),
        price_by="puissance", share=3,
    ),
    _t(
        "barres-de-son", "Barre de son",
        {
            "Sonos": ("Arc Ultra", "Beam (Gen 2)", "Ray"),
            "Samsung": ("HW-Q600C", "HW-Q990D"),
            "Sony": ("HT-S2000", "BRAVIA Theatre Bar 9"),
            "LG": ("S70TY", "SC9S"),
            "Bose": ("Smart Soundbar",),
            "JBL": ("Bar 500", "Bar 1000"),
        },
        (199, 1499), (2.5, 12.0),
        {
            "puissance": (100, 200, 320, 400, 585, 880),
            "connexion": ("bluetooth", "wifi"),
            "couleur": ("noir", "blanc"),
        },
        "{noun} {brand} {model} {puissance}",
        (
            "La barre de son {brand} {model} et ses {puissance} donnent aux films et aux matchs "
            "l'ampleur d'une salle de cinéma.",
            "Elle se connecte au téléviseur en HDMI eARC et se pilote avec sa télécommande.",
        ),
        price_by="puissance",
    ),
    # --- Maison & Électroménager -----------------------------------------------------------------
    _t(
        "lave-linge", "Lave-linge hublot",
        {
            "Bosch": (_load("Série 6 WGG244@0FR", 9), _load("Série 4 WAN28##FR", 8),
                      _load("Série 8 WAX32M#0FF", 10)),
            "Samsung": (_load("WW90DG5U24AH", 9), _load("WW11BB744DGB", 11)),
            "LG": (_load("F94V35WHS", 9), _load("F14R35WHS", 10)),
            "Whirlpool": (_load("FFB 9469 BV FR", 9), _load("W8 W046WB FR", 10)),
            "Electrolux": (_load("EW6F1408RB", 8), _load("EW7F3816DB", 10)),
            "Miele": (_load("WWB 380 WPS", 8), _load("WCA 030 WCS", 7)),
            "Beko": (_load("WUE8612XST", 8), _load("B3WFT59415W", 9)),
        },
        (329, 1199), (62.0, 85.0),
        {
            "type_chargement": ("hublot",),
            "capacite_kg": (7, 8, 9, 10, 11),
            "essorage": (1200, 1400, 1600),
            "classe_energetique": ("a", "b", "c", "d"),
            "installation": ("pose-libre",),
            "niveau_sonore": range(68, 77),
            "couleur": ("blanc", "anthracite", "noir"),
            "garantie": (2, 5, 10),
        },
        "{noun} {brand} {model} {capacite_kg}",
        (
            "Le lave-linge {brand} {model} lave jusqu'à {capacite_kg} de linge et essore à "
            "{essorage} pour un séchage plus rapide.",
            "Ses programmes rapides, coton éco et laine s'adaptent à chaque lessive, avec départ "
            "différé pour profiter des heures creuses.",
        ),
        price_by="capacite_kg", share=3,
    ),
    _t(
        "lave-linge", "Lave-linge top",
        {
            "Whirlpool": ("TDLR 7231BS FR",),
            "Electrolux": ("EW6T3372HA", "EW7T3372HB"),
            "Indesit": ("BTW S72200 FR",),
            "Candy": ("CSTG 272DE",),
            "Beko": ("WTE7611BWR",),
        },
        (299, 749), (55.0, 68.0),
        {
            "type_chargement": ("top",),
            "capacite_kg": (6, 7, 8),
            "essorage": (1000, 1200, 1300),
            "classe_energetique": ("b", "c", "d", "e"),
            "installation": ("pose-libre",),
            "niveau_sonore": range(70, 79),
            "couleur": ("blanc",),
        },
        "{noun} {brand} {model} {capacite_kg}",
        (
            "Étroit, le lave-linge {brand} {model} se glisse dans une salle de bains ou une "
            "buanderie et lave jusqu'à {capacite_kg} de linge.",
            "Ouverture par le dessus, sans se baisser, et tambour positionné automatiquement.",
        ),
        price_by="capacite_kg",
    ),
    _t(
        "refrigerateurs", "Réfrigérateur combiné",
        {
            "Samsung": ("RB34C600ESA", "RB38C775CS9"),
            "Bosch": ("Série 4 KGN39VXCT", "Série 6 KGN49AICT"),
            "LG": ("GBB72PZVCN", "GBP62DSNGN"),
            "Liebherr": ("CNsfd 5223", "CBNd 5723"),
            "Haier": ("HDW3618DNPK",),
            "Beko": ("B5RCNE405HXB",),
        },
        (449, 1499), (60.0, 80.0),
        {
            "type_refrigerateur": ("combine",),
            "volume_l": range(300, 405, 5),
            "classe_energetique": ("a", "b", "c", "d", "e"),
            "installation": ("pose-libre",),
            "niveau_sonore": range(33, 42),
            "couleur": ("inox", "blanc", "noir", "gris"),
            "garantie": (2, 5),
        },
        "{noun} {brand} {model} {volume_l}",
        (
            "Le réfrigérateur combiné {brand} {model} offre {volume_l} de volume utile, avec un "
            "froid ventilé No Frost qui supprime la corvée du dégivrage.",
            "Son bac fraîcheur garde fruits et légumes croquants plus longtemps.",
        ),
        price_by="volume_l", share=2,
    ),
    _t(
        "refrigerateurs", "Réfrigérateur américain",
        {
            "Samsung": ("RS68A8820S9", "RH69B8931S9"),
            "LG": ("GSXV90MCAE", "GSLV71PZTM"),
            "Haier": ("HTF-520IP7", "HB26FSSAAA"),
            "Whirlpool": ("WQ9 B2L",),
        },
        (1099, 3299), (100.0, 135.0),
        {
            "type_refrigerateur": ("americain",),
            "volume_l": range(500, 655, 5),
            "classe_energetique": ("c", "d", "e", "f"),
            "installation": ("pose-libre",),
            "niveau_sonore": range(35, 43),
            "couleur": ("inox", "noir", "gris"),
        },
        "{noun} {brand} {model} {volume_l}",
        (
            "Avec ses {volume_l} de volume utile, le réfrigérateur américain {brand} {model} "
            "nourrit toute la famille et les invités.",
            "Distributeur d'eau fraîche et de glaçons, éclairage LED et froid No Frost.",
        ),
        price_by="volume_l", share=1,
    ),
    _t(
        "lave-vaisselle", "Lave-vaisselle",
        {
            "Bosch": ("Série 4 SMS4HVI##E", "Série 6 SMV6ZCX##E"),
            "Siemens": ("iQ300 SN23HI##TE", "iQ500 SN65ZX##CE"),
            "Miele": ("G 5110 SC Active", "G 7100 SCi"),
            "Whirlpool": ("WFC 3C33 PF X",),
            "Beko": ("BDFN26430X",),
            "Samsung": ("DW60A6092FS",),
        },
        (349, 1199), (40.0, 55.0),
        {
            "couverts": (12, 13, 14, 15),
            "classe_energetique": ("a", "b", "c", "d", "e"),
            "installation": ("pose-libre", "encastrable"),
            "niveau_sonore": range(40, 49),
            "couleur": ("blanc", "inox", "noir"),
            "garantie": (2, 5),
        },
        "{noun} {brand} {model} {couverts}",
        (
            "Le lave-vaisselle {brand} {model} lave {couverts} en un cycle, en silence, "
            "avec un programme éco qui économise l'eau et l'électricité.",
            "Troisième panier pour les couverts et paniers réglables pour les grands plats.",
        ),
        price_by="couverts", share=2,
    ),
    _t(
        "machines-a-cafe", "Expresso broyeur",
        {
            "De'Longhi": ("Magnifica S ECAM22.1##.B", "Dinamica ECAM35#.15.B"),
            "Philips": ("Série 2200 EP2231/40", "Série 3300 EP3343/50"),
            "Krups": ("Evidence EA8950",),
            "Melitta": ("Barista TS Smart",),
        },
        (299, 899), (7.0, 11.0),
        {
            "type_machine_cafe": ("expresso-broyeur",),
            "pression": (15,),
            "capacite_l": (1.7, 1.8, 2.1),
            "puissance": (1350, 1450, 1500),
            "couleur": ("noir", "argent"),
        },
        "{noun} {brand} {model}",
        (
            "L'expresso broyeur {brand} {model} moud le grain juste avant l'extraction pour un "
            "café plein d'arômes, expresso, allongé ou cappuccino.",
            "Buse vapeur pour le lait, nettoyage et détartrage guidés.",
        ),
        share=2,
    ),
    _t(
        "machines-a-cafe", "Machine à capsules",
        {
            "Nespresso": ("Vertuo Pop", "Vertuo Next", "Essenza Mini"),
            "Krups": ("Nespresso Inissia", "Dolce Gusto Genio S"),
            "Magimix": ("Nespresso CitiZ",),
        },
        (69, 199), (2.0, 4.5),
        {
            "type_machine_cafe": ("capsules",),
            "pression": (15, 19),
            "capacite_l": (0.6, 0.7, 1.0, 1.1),
            "puissance": (1260, 1310, 1500),
            "couleur": ("noir", "blanc", "rouge", "bleu", "gris"),
        },
        "{noun} {brand} {model} {couleur}",
        (
            "Une capsule, un bouton : la {brand} {model} prépare votre café en quelques secondes, "
            "toujours à la bonne température.",
        ),
        share=2,
    ),
    _t(
        "machines-a-cafe", "Cafetière filtre",
        {
            "Melitta": ("Look V Timer", "AromaFresh"),
            "Moulinex": ("Subito Mug",),
            "Philips": ("Café Gaia HD7546",),
            "Russell Hobbs": ("Chester 22000-56",),
        },
        (39, 149), (1.5, 3.5),
        {
            "type_machine_cafe": ("filtre",),
            "capacite_l": (1.25, 1.5, 1.7),
            "puissance": (1000, 1080),
            "couleur": ("noir", "blanc", "inox"),
        },
        "{noun} {brand} {model}",
        (
            "La cafetière {brand} {model} prépare un café filtre doux et parfumé, avec un "
            "programmateur pour le trouver prêt au réveil.",
        ),
        share=1,
    ),
    _t(
        "aspirateurs", "Aspirateur balai sans fil",
        {
            "Dyson": ("V15 Detect Absolute", "V8 Advanced", "Gen5detect"),
            "Rowenta": ("X-Force Flex 15.60", "X-Pert 6.60"),
            "Samsung": ("Bespoke Jet AI",),
            "Xiaomi": ("Vacuum Cleaner G20",),
        },
        (129, 749), (2.5, 3.5),
        {
            "type_aspirateur": ("balai",),
            "sans_fil": Chance(1.0),
            "autonomie_h": (1,),
            "capacite_l": (0.3, 0.5, 0.76),
            "puissance": (150, 230, 350),
            "couleur": ("gris", "violet", "bleu", "rouge", "or"),
        },
        "{noun} {brand} {model}",
        (
            "Léger et maniable, l'aspirateur {brand} {model} passe des sols aux plafonds en un "
            "geste et se transforme en aspirateur à main.",
            "Batterie amovible et brosse anti-enchevêtrement pour les cheveux et les poils.",
        ),
        price_by="puissance", share=2,
    ),
    _t(
        "aspirateurs", "Aspirateur traîneau",
        {
            "Rowenta": ("Silence Force RO74##EA",),
            "Miele": ("Complete C3 Silence", "Boost CX1"),
            "Bosch": ("Série 6 BGL8PERF#",),
            "Electrolux": ("PURE D9",),
        },
        (99, 399), (5.0, 9.0),
        {
            "type_aspirateur": ("traineau",),
            "sans_fil": Chance(0.0),
            "capacite_l": (2.0, 3.0, 4.5),
            "puissance": (550, 750, 850, 900),
            "couleur": ("gris", "rouge", "noir", "bleu"),
        },
        "{noun} {brand} {model}",
        (
            "Puissant et silencieux, l'aspirateur {brand} {model} vient à bout des tapis et des "
            "grandes surfaces, avec son filtre pour les allergiques.",
        ),
        price_by="puissance",
    ),
    _t(
        "aspirateurs", "Aspirateur robot",
        {
            "iRobot": ("Roomba Combo j9+", "Roomba i5"),
            "Roborock": ("S8 Pro Ultra", "Q7 Max"),
            "Dreame": ("L10s Ultra",),
            "Ecovacs": ("Deebot T30 Omni",),
        },
        (199, 1499), (3.5, 5.0),
        {
            "type_aspirateur": ("robot",),
            "sans_fil": Chance(1.0),
            "autonomie_h": (2, 3),
            "capacite_l": (0.3, 0.4, 0.5),
            "couleur": ("noir", "blanc"),
        },
        "{noun} {brand} {model}",
        (
            "Le robot {brand} {model} cartographie la maison, aspire et lave les sols pendant que "
            "vous êtes au travail.",
            "Pilotable depuis l'application : zones interdites, horaires et puissance par pièce.",
        ),
        share=2,
    ),
    _t(
        "friteuses-sans-huile", "Friteuse sans huile",
        {
            "Ninja": ("Foodi MAX AF400EU", "AF100EU"),
            "Philips": ("Airfryer Série 3000 HD9252/90", "Airfryer XXL HD9867/90"),
            "Moulinex": ("Easy Fry Max EZ245B", "Easy Fry & Grill"),
            "Tefal": ("Easy Fry Dual XXL",),
            "Cosori": ("Dual Blaze",),
        },
        (59, 299), (3.5, 8.5),
        {
            "capacite_l": (3.5, 4.1, 5.5, 6.2, 7.3, 9.5),
            "puissance": (1400, 1500, 1700, 2000, 2470),
            "couleur": ("noir", "blanc", "gris"),
        },
        "{noun} {brand} {model} {capacite_l}",
        (
            "Frites croustillantes, poulet rôti et légumes grillés avec une cuillère d'huile : la "
            "{brand} {model} cuisine jusqu'à {capacite_l} de préparation.",
            "Paniers antiadhésifs compatibles lave-vaisselle.",
        ),
        price_by="capacite_l", share=3,
    ),
    _t(
        "canapes", "Canapé",
        {
            "Bobochic": ("Lina", "Nova"),
            "Maisons du Monde": ("Mezzo", "Brooke"),
            "Habitat": ("Kelly", "Alexander"),
            "Inside75": ("Kiara",),
        },
        (299, 1899), (35.0, 95.0),
        {
            "places": (2, 3, 4),
            "matiere": ("tissu", "velours", "cuir", "simili-cuir"),
            "couleur": ("gris", "beige", "bleu", "vert", "anthracite", "rose"),
        },
        "{noun} {places} {brand} {model} {matiere} {couleur}",
        (
            "Assise moelleuse et dossier enveloppant : le canapé {model} de {brand} accueille "
            "{places} pour les soirées en famille.",
            "Livré monté ou en kit simple à assembler, pieds en bois massif.",
        ),
        price_by="places", share=1, second_hand=False,
    ),
    _t(
        "canapes", "Canapé d'angle convertible",
        {
            "Bobochic": ("Lina XXL", "Tokyo"),
            "Maisons du Monde": ("Oslo",),
            "Habitat": ("Kelly XL",),
            "Inside75": ("Gigi",),
        },
        (599, 2499), (80.0, 130.0),
        {
            "places": (4, 5),
            "matiere": ("tissu", "velours", "simili-cuir"),
            "couleur": ("gris", "beige", "bleu", "anthracite"),
        },
        "{noun} {places} {brand} {model} {matiere} {couleur}",
        (
            "Le canapé d'angle {model} de {brand} se déplie en un vrai lit pour vos invités, "
            "avec un coffre de rangement sous la méridienne.",
        ),
        price_by="places", share=1, second_hand=False,
    ),
    _t(
        "matelas", "Matelas",
        {
            "Emma": ("Original", "Hybride Premium"),
            "Tediber": ("Le Matelas",),
            "Bultex": ("I-Novo 950", "Confort Ferme"),
            "Simmons": ("Sublissime",),
            "Dunlopillo": ("Aurore",),
            "Epeda": ("Le Confluence",),
        },
        (199, 1499), (14.0, 45.0),
        {
            "taille_matelas": ("90x190", "140x190", "160x200", "180x200"),
            "fermete": ("souple", "equilibre", "ferme", "tres-ferme"),
            "matiere": ("mousse", "ressorts-ensaches", "latex"),
        },
        "{noun} {brand} {model} {taille_matelas} {fermete}",
        (
            "Le matelas {brand} {model} en {taille_matelas} soutient chaque zone du corps pour "
            "des nuits réparatrices, avec un accueil {fermete}.",
            "Housse déhoussable lavable à 40 °C, 100 nuits d'essai chez le fabricant.",
        ),
        price_by="taille_matelas", share=2, second_hand=False,
    ),
    # --- Jardin ----------------------------------------------------------------------------------
    _t(
        "tondeuses", "Tondeuse thermique",
        {
            "Honda": (_cut("HRG 416 SK", 41), _cut("HRX 476 VY", 47)),
            "Husqvarna": (_cut("LC 151", 51), _cut("LC 353V", 53)),
            "Stiga": (_cut("Combi 748 S", 48),),
        },
        (299, 999), (25.0, 40.0),
        {
            "alimentation": ("thermique",),
            "largeur_coupe": (41, 47, 48, 51, 53),
            "surface_max": (800, 1000, 1500, 2000),
            "garantie": (2, 5),
        },
        "{noun} {brand} {model} {largeur_coupe}",
        (
            "La tondeuse {brand} {model} coupe sur {largeur_coupe} et ramasse l'herbe dans son "
            "grand bac, pour les terrains jusqu'à 2 000 m².",
            "Moteur fiable au démarrage facile, hauteur de coupe réglable d'un levier.",
        ),
        price_by="largeur_coupe",
    ),
    _t(
        "tondeuses", "Tondeuse sans fil",
        {
            "Bosch": (_cut("AdvancedRotak 36-750", 44, tension=36),
                      _cut("EasyRotak 36-550", 37, tension=36)),
            "Greenworks": (_cut("GD40LM46SP", 46, tension=40),),
            "Makita": (_cut("DLM432Z", 43, tension=36),),
            "Ryobi": (_cut("RY18LMX37A", 37, tension=18),),
        },
        (149, 599), (12.0, 25.0),
        {
            "alimentation": ("batterie",),
            "tension": (18, 36, 40),
            "largeur_coupe": (37, 43, 44, 46),
            "surface_max": (300, 500, 600, 800),
        },
        "{noun} {brand} {model} {largeur_coupe}",
        (
            "Sans câble ni essence, la tondeuse {brand} {model} démarre d'un bouton et tond "
            "en silence jusqu'à {surface_max}.",
        ),
        price_by="largeur_coupe", share=2,
    ),
    _t(
        "tondeuses", "Tondeuse électrique",
        {
            "Bosch": (_cut("ARM 37", 37),),
            "Black+Decker": (_cut("BEMW451", 32),),
            "Einhell": (_cut("GC-EM 1536", 36),),
        },
        (89, 249), (9.0, 14.0),
        {
            "alimentation": ("secteur",),
            "largeur_coupe": (32, 36, 37),
            "surface_max": (300, 400, 500),
        },
        "{noun} {brand} {model} {largeur_coupe}",
        (
            "Légère et économique, la tondeuse {brand} {model} entretient les petites pelouses "
            "sans effort.",
        ),
        price_by="largeur_coupe",
    ),
    _t(
        "robots-tondeuses", "Robot tondeuse",
        {
            "Husqvarna": (_area("Automower 305", 600), _area("Automower 430X NERA", 3200)),
            "Gardena": (_area("Sileno City", 500), _area("Sileno Life", 1000)),
            "Worx": (_area("Landroid M WR167E", 800), _area("Landroid Vision", 1500)),
            "Segway": (_area("Navimow i105E", 500),),
            "Bosch": (_area("Indego S+ 500", 500),),
        },
        (499, 3499), (7.0, 14.0),
        {
            "alimentation": ("batterie",),
            "surface_max": (500, 600, 800, 1000, 1500, 2000, 3200),
            "largeur_coupe": (16, 18, 20, 22, 24),
            "tension": (18, 20, 28),
        },
        "{noun} {brand} {model} {surface_max}",
        (
            "Le robot {brand} {model} tond votre pelouse jusqu'à {surface_max}, de jour comme de "
            "nuit, et retourne seul à sa base.",
            "Capteur de pluie, code antivol et pilotage depuis le smartphone.",
        ),
        price_by="surface_max", share=2,
    ),
    _t(
        "taille-haies", "Taille-haies",
        {
            "Bosch": (("AdvancedHedgeCut 36", {"alimentation": "batterie"}),
                      ("EasyHedgeCut 18-45", {"alimentation": "batterie"})),
            "Ryobi": (("RY18HT55A", {"alimentation": "batterie"}),),
            "Stihl": (("HSA 50", {"alimentation": "batterie"}),
                      ("HSE 52", {"alimentation": "secteur", "tension": None})),
            "Makita": (("DUH523Z", {"alimentation": "batterie"}),
                       ("UH5580", {"alimentation": "secteur", "tension": None})),
            "Black+Decker": (("BEHTS401", {"alimentation": "secteur", "tension": None}),),
        },
        (59, 449), (2.5, 5.5),
        {
            "alimentation": ("batterie",),
            "largeur_coupe": (45, 50, 55, 60, 65),
            "tension": (18, 36),
        },
        "{noun} {brand} {model} {alimentation} {largeur_coupe}",
        (
            "Le taille-haies {brand} {model} et sa lame de {largeur_coupe} égalisent haies et "
            "arbustes en quelques passages.",
        ),
        price_by="largeur_coupe",
    ),
    _t(
        "salons-de-jardin", "Salon de jardin",
        {
            "Hespéride": ("Allure", "Héraclès"),
            "Proloisirs": ("Milano",),
            "Maisons du Monde": ("Ibiza",),
            "Keter": ("Corfu", "Emma"),
        },
        (199, 1899), (25.0, 75.0),
        {
            "places": (4, 5, 6, 8),
            "matiere": ("aluminium", "resine-tressee", "acacia", "acier"),
            "couleur": ("gris", "anthracite", "beige", "blanc", "vert"),
        },
        "{noun} {brand} {model} {places} {matiere}",
        (
            "Le salon de jardin {model} de {brand} accueille {places} pour déjeuner ou prendre "
            "l'apéritif au soleil.",
            "Matériaux traités pour rester dehors toute la saison, coussins déhoussables.",
        ),
        price_by="places", second_hand=False,
    ),
    _t(
        "barbecues-gaz", "Barbecue à gaz",
        {
            "Weber": ("Spirit E-325", "Genesis E-335", "Q 2200N"),
            "Campingaz": ("Attitude 2100 EX", "Master 3 Classic EXS"),
            "Char-Broil": ("Performance Core B 3",),
            "Napoleon": ("Rogue SE 425",),
            "Enders": ("Monroe Pro 4 SIK Turbo",),
        },
        (199, 1599), (18.0, 68.0),
        {
            "bruleurs": (2, 3, 4, 5),
            "puissance": (5000, 8000, 9000, 11000, 14000),
            "matiere": ("acier", "fonte"),
        },
        "{noun} {brand} {model} {bruleurs}",
        (
            "Le barbecue {brand} {model} et ses {bruleurs} chauffent en dix minutes pour saisir "
            "viandes, poissons et légumes.",
            "Grilles en fonte émaillée, thermomètre dans le couvercle et tablettes latérales.",
        ),
        price_by="bruleurs",
    ),
    _t(
        "planchas", "Plancha",
        {
            "Forge Adour": ("Base 60", "Modern 75"),
            "Eno": ("Signature 65",),
            "Le Marquier": ("Luberon 260",),
            "Krampouz": ("Saveur",),
        },
        (149, 999), (8.0, 30.0),
        {
            "bruleurs": (1, 2, 3),
            "puissance": (2000, 2200, 5000, 6000, 7000),
            "matiere": ("acier", "fonte"),
        },
        "{noun} {brand} {model} {bruleurs}",
        (
            "La plancha {brand} {model} saisit à haute température et cuisine sans matière grasse "
            "pour les repas d'été.",
        ),
        price_by="bruleurs",
    ),
    # --- Sport -----------------------------------------------------------------------------------
    _t(
        "velos-electriques", "Vélo électrique",
        {
            "Moustache": (("Samedi 28.3", {"type_velo": "vtc"}),
                          ("Lundi 27.3", {"type_velo": "ville"})),
            "Riverside": (("540 E", {"type_velo": "vtc"}),),
            "Rockrider": (("E-ST 100", {"type_velo": "vtt"}),),
            "O2feel": (("iSwan City Up 3.1", {"type_velo": "ville"}),),
            "Cube": (("Kathmandu Hybrid", {"type_velo": "vtc"}),
                     ("Reaction Hybrid", {"type_velo": "vtt"})),
            "Cowboy": (("Classic", {"type_velo": "ville"}),),
        },
        (899, 4499), (20.0, 28.0),
        {
            "type_velo": ("ville", "vtc", "vtt"),
            "taille_cadre": ("s", "m", "l", "xl"),
            "autonomie_km": (50, 70, 80, 100, 120, 150),
            "couleur": ("noir", "gris", "vert", "bleu", "blanc"),
        },
        "{noun} {type_velo} {brand} {model}",
        (
            "Le vélo électrique {brand} {model} avale les côtes et les trajets quotidiens grâce "
            "à son assistance souple et sa batterie intégrée au cadre.",
            "Freins à disque hydrauliques, éclairage intégré et garde-boue pour rouler par tous "
            "les temps.",
        ),
        price_by="autonomie_km", share=2,
    ),
    _t(
        "trottinettes-electriques", "Trottinette électrique",
        {
            "Xiaomi": ("Electric Scooter 4 Pro", "Electric Scooter 4 Lite"),
            "Segway-Ninebot": ("Ninebot Max G2", "Ninebot F2 Plus"),
            "Pure Electric": ("Pure Air3", "Pure Advance"),
            "Wispeed": ("T855 Pro",),
        },
        (299, 999), (12.0, 24.0),
        {
            "autonomie_km": (20, 25, 35, 45, 60, 70),
            "vitesse_max": (25,),
            "pliable": Chance(0.95),
            "puissance": (300, 350, 500, 700, 900),
            "couleur": ("noir", "gris", "blanc"),
        },
        "{noun} {brand} {model} autonomie {autonomie_km}",
        (
            "La trottinette {brand} {model} vous emmène jusqu'à {autonomie_km} plus loin, bridée "
            "à {vitesse_max} comme l'exige le code de la route.",
            "Pneus anti-crevaison, double freinage et application pour suivre vos trajets.",
        ),
        price_by="autonomie_km", share=2,
    ),
    _t(
        "tapis-de-course", "Tapis de course",
        {
            "Domyos": ("T540C", "T900D"),
            "NordicTrack": ("T 9.5 S", "Commercial 1750"),
            "Sole": ("F63",),
            "Kettler": ("Alpha Run 200",),
            "Kingsmith": (("WalkingPad C2", {"vitesse_max": 6, "pliable": True,
                                             "weight": (20.0, 25.0), "price": (399, 499)}),),
        },
        (399, 2999), (45.0, 120.0),
        {
            "vitesse_max": (12, 14, 16, 18, 20, 22),
            "puissance": (1500, 2200, 2600, 3000, 3700),
            "pliable": Chance(0.7),
            "couleur": ("noir", "gris"),
        },
        "{noun} {brand} {model} {vitesse_max}",
        (
            "Entraînez-vous à la maison sur le tapis {brand} {model} : jusqu'à {vitesse_max}, "
            "inclinaison motorisée et programmes d'entraînement.",
        ),
        price_by="vitesse_max",
    ),
    _t(
        "velos-appartement", "Vélo d'appartement",
        {
            "Domyos": ("EB 500", "EB 120"),
            "Kettler": ("Axos Cycle M-LA",),
            "Schwinn": ("510U",),
            "Xterra": ("UB2.5",),
        },
        (199, 1299), (28.0, 58.0),
        {
            "pliable": Chance(0.3),
            "couleur": ("noir", "gris", "blanc"),
        },
        "{noun} {brand} {model}",
        (
            "Le vélo d'appartement {brand} {model} et sa résistance magnétique silencieuse vous "
            "gardent en forme toute l'année.",
        ),
    ),
    # --- Jeux vidéo ------------------------------------------------------------------------------
    _t(
        "consoles-de-salon", "Console",
        {
            "Sony": (("PlayStation 5 Slim Standard", {"plateforme": "ps5", "stockage": "1-to",
                                                      "price": (499, 549)}),
                     ("PlayStation 5 Slim Digital", {"plateforme": "ps5", "stockage": "1-to",
                                                     "price": (419, 449)}),
                     ("PlayStation 5 Pro", {"plateforme": "ps5", "stockage": "2-to",
                                            "price": (799, 829)})),
            "Microsoft": (("Xbox Series X", {"plateforme": "xbox-series", "stockage": "1-to",
                                             "couleur": "noir", "price": (499, 549)}),
                          ("Xbox Series S", {"plateforme": "xbox-series", "stockage": "512-go",
                                             "price": (279, 299)})),
        },
        (279, 829), (2.5, 4.5),
        {
            "plateforme": ("ps5",),
            "stockage": ("1-to",),
            "couleur": ("blanc", "noir"),
        },
        "{noun} {brand} {model} {stockage}",
        (
            "La {model} fait entrer la nouvelle génération dans votre salon : temps de "
            "chargement quasi nuls, 4K et 120 images par seconde.",
            "Manette incluse ; câble HDMI et alimentation fournis.",
        ),
        share=2,
    ),
    _t(
        "consoles-portables", "Console portable",
        {
            "Nintendo": (("Switch OLED", {"plateforme": "switch", "stockage": "64-go",
                                          "taille_ecran": "7", "price": (319, 349)}),
                         ("Switch Lite", {"plateforme": "switch", "stockage": "32-go",
                                          "taille_ecran": "5-5", "price": (199, 229)})),
            "Valve": (("Steam Deck OLED", {"plateforme": "pc", "taille_ecran": "7-4",
                                           "price": (569, 679)}),),
            "ASUS": (("ROG Ally", {"plateforme": "pc", "taille_ecran": "7", "price": (599, 799)}),),
            "Lenovo": (("Legion Go", {"plateforme": "pc", "taille_ecran": "8-8",
                                      "price": (699, 799)}),),
        },
        (199, 799), (0.3, 0.9),
        {
            "plateforme": ("switch",),
            "stockage": ("512-go", "1-to"),
            "taille_ecran": ("7",),
            "couleur": ("noir", "blanc", "bleu", "rouge"),
        },
        "{noun} {brand} {model} {stockage}",
        (
            "Jouez où vous voulez avec la {brand} {model} : dans le train, au lit ou sur la télé "
            "du salon.",
        ),
        share=2,
    ),
    _t(
        "jeux-ps5", "Jeu PS5",
        {
            "Electronic Arts": (("EA Sports FC 25", {"genre": "sport", "pegi": "3"}),
                                ("Dragon Age : The Veilguard", {"genre": "jeu-de-role",
                                                                "pegi": "18"})),
            "Ubisoft": (("Assassin's Creed Shadows", {"genre": "action", "pegi": "18"}),
                        ("Star Wars Outlaws", {"genre": "aventure", "pegi": "16"}),
                        ("Prince of Persia : The Lost Crown", {"genre": "plates-formes",
                                                               "pegi": "12"})),
            "Sony Interactive Entertainment": (
                ("Gran Turismo 7", {"genre": "course", "pegi": "3"}),
                ("Marvel's Spider-Man 2", {"genre": "action", "pegi": "16"}),
                ("Astro Bot", {"genre": "plates-formes", "pegi": "7"}),
            ),
            "Bandai Namco": (("Elden Ring", {"genre": "jeu-de-role", "pegi": "16"}),
                             ("Tekken 8", {"genre": "combat", "pegi": "16"})),
            "Square Enix": (("Final Fantasy VII Rebirth", {"genre": "jeu-de-role",
                                                           "pegi": "16"}),),
            "Capcom": (("Street Fighter 6", {"genre": "combat", "pegi": "12"}),
                       ("Monster Hunter Wilds", {"genre": "action", "pegi": "16"})),
            "2K": (("NBA 2K25", {"genre": "sport", "pegi": "3"}),),
            "Activision": (("Call of Duty : Black Ops 6", {"genre": "tir", "pegi": "18"}),),
        },
        (19, 89), (0.08, 0.12),
        {
            "plateforme": ("ps5",),
            "genre": ("action",),
            "pegi": ("16",),
            "edition": ("standard", "standard", "standard", "day-one", "deluxe", "collector"),
        },
        "{noun} {model} {edition}",
        (
            "{model} sur PS5 : profitez du retour haptique de la manette DualSense et de "
            "chargements quasi instantanés.",
            "Jeu en version française, classé {pegi}.",
        ),
        price_by="edition", share=4,
    ),
    _t(
        "jeux-switch", "Jeu Nintendo Switch",
        {
            "Nintendo": (("Mario Kart 8 Deluxe", {"genre": "course", "pegi": "3"}),
                         ("The Legend of Zelda : Tears of the Kingdom", {"genre": "aventure",
                                                                         "pegi": "12"}),
                         ("Super Mario Bros. Wonder", {"genre": "plates-formes", "pegi": "3"}),
                         ("Animal Crossing : New Horizons", {"genre": "simulation",
                                                             "pegi": "3"}),
                         ("Super Smash Bros. Ultimate", {"genre": "combat", "pegi": "12"}),
                         ("Pokémon Écarlate", {"genre": "jeu-de-role", "pegi": "7"}),
                         ("Super Mario Party Jamboree", {"genre": "party-game", "pegi": "3"})),
            "Ubisoft": (("Just Dance 2025 Edition", {"genre": "party-game", "pegi": "3"}),),
            "Electronic Arts": (("EA Sports FC 25", {"genre": "sport", "pegi": "3"}),),
        },
        (29, 69), (0.06, 0.1),
        {
            "plateforme": ("switch",),
            "genre": ("aventure",),
            "pegi": ("3",),
            "edition": ("standard", "standard", "standard", "collector"),
        },
        "{noun} {model} {edition}",
        (
            "{model} sur Nintendo Switch : à la maison sur la télé ou en mode portable, seul ou "
            "entre amis.",
            "Jeu en version française, classé {pegi}.",
        ),
        price_by="edition", share=4,
    ),
    _t(
        "jeux-xbox", "Jeu Xbox Series X",
        {
            "Microsoft": (("Forza Horizon 5", {"genre": "course", "pegi": "3"}),
                          ("Halo Infinite", {"genre": "tir", "pegi": "16"}),
                          ("Starfield", {"genre": "jeu-de-role", "pegi": "16"})),
            "Ubisoft": (("Assassin's Creed Shadows", {"genre": "action", "pegi": "18"}),),
            "Electronic Arts": (("EA Sports FC 25", {"genre": "sport", "pegi": "3"}),),
            "Activision": (("Call of Duty : Black Ops 6", {"genre": "tir", "pegi": "18"}),),
            "Bandai Namco": (("Elden Ring", {"genre": "jeu-de-role", "pegi": "16"}),),
        },
        (19, 79), (0.08, 0.12),
        {
            "plateforme": ("xbox-series",),
            "genre": ("action",),
            "pegi": ("16",),
            "edition": ("standard", "standard", "standard", "deluxe"),
        },
        "{noun} {model} {edition}",
        (
            "{model} sur Xbox Series X|S : graphismes optimisés et reprise rapide de votre partie.",
            "Jeu en version française, classé {pegi}.",
        ),
        price_by="edition", share=2,
    ),
    _t(
        "manettes", "Manette",
        {
            "Sony": (("DualSense", {"plateforme": "ps5", "price": (59, 79)}),
                     ("DualSense Edge", {"plateforme": "ps5", "price": (199, 239)})),
            "Microsoft": (("Xbox Wireless Controller", {"plateforme": "xbox-series",
                                                        "price": (54, 69)}),
                          ("Xbox Elite Series 2", {"plateforme": "xbox-series",
                                                   "price": (149, 189)})),
            "Nintendo": (("Pro Controller", {"plateforme": "switch", "price": (59, 74)}),
                         ("Joy-Con (paire)", {"plateforme": "switch", "price": (69, 84)})),
            "PowerA": (("Enhanced Wired Controller", {"plateforme": "switch",
                                                      "connexion": "filaire",
                                                      "price": (24, 34)}),),
            "8BitDo": (("Ultimate 2.4G", {"plateforme": "pc", "connexion": "sans-fil",
                                          "price": (39, 59)}),),
        },
        (24, 239), (0.2, 0.35),
        {
            "plateforme": ("ps5",),
            "connexion": ("bluetooth",),
            "couleur": ("blanc", "noir", "bleu", "rouge", "violet"),
        },
        "{noun} {brand} {model} {couleur}",
        (
            "La manette {brand} {model} tombe parfaitement en main, avec des gâchettes précises "
            "et une batterie qui dure des soirées entières.",
        ),
        share=3,
    ),
    _t(
        "casques-gaming", "Casque gaming",
        {
            "SteelSeries": ("Arctis Nova 7", "Arctis Nova 1"),
            "Logitech": ("G PRO X 2 LIGHTSPEED", "G435"),
            "Razer": ("BlackShark V2 X", "Kraken V4"),
            "HyperX": ("Cloud III", "Cloud Stinger 2"),
            "Turtle Beach": ("Stealth 600 Gen 3",),
            "Corsair": ("HS80 RGB",),
        },
        (29, 299), (0.25, 0.4),
        {
            "plateforme": ("multi", "pc", "ps5", "xbox-series"),
            "connexion": ("filaire", "sans-fil", "bluetooth"),
            "eclairage_rgb": Chance(0.35),
            "couleur": ("noir", "blanc"),
        },
        "{noun} {brand} {model} {plateforme}",
        (
            "Entendez chaque pas de vos adversaires avec le casque {brand} {model} et son son "
            "surround, et parlez clairement grâce à son micro antibruit.",
        ),
        price_by="connexion", share=2,
    ),
    # --- Bricolage -------------------------------------------------------------------------------
    _t(
        "perceuses-visseuses", "Perceuse-visseuse sans fil",
        {
            "Bosch Professional": ("GSR 18V-55", "GSR 12V-35"),
            "Bosch": ("UniversalDrill 18V",),
            "Makita": ("DDF485Z", "DHP484RTJ"),
            "DeWalt": ("DCD796P2", "DCD791D2"),
            "Ryobi": ("R18DD3-0", "RPD18C-242S"),
            "Milwaukee": ("M18 FPD3-502X",),
            "Black+Decker": ("BDCDD12",),
        },
        (59, 399), (1.1, 2.2),
        {
            "alimentation": ("batterie",),
            "tension": (12, 18, 20),
            "garantie": (2, 3),
        },
        "{noun} {brand} {model} {tension}",
        (
            "Percer le bois, le métal ou la brique, visser une terrasse : la {brand} {model} "
            "fait tout, avec son mandrin autoserrant et ses deux vitesses.",
            "Compatible avec toutes les batteries {tension} de la gamme.",
        ),
        price_by="tension", share=3,
    ),
    _t(
        "scies", "Scie",
        {
            "Bosch": (("PST 700 E", {"type_scie": "sauteuse"}),
                      ("PKS 55 A", {"type_scie": "circulaire"})),
            "Makita": (("DJV182Z", {"type_scie": "sauteuse", "alimentation": "batterie",
                                    "tension": 18, "puissance": None}),
                       ("HS7611", {"type_scie": "circulaire"}),
                       ("DJR186Z", {"type_scie": "sabre", "alimentation": "batterie",
                                    "tension": 18, "puissance": None})),
            "DeWalt": (("DWS780", {"type_scie": "onglet", "weight": (20.0, 25.0)}),
                       ("DCS391N", {"type_scie": "circulaire", "alimentation": "batterie",
                                    "tension": 18, "puissance": None})),
            "Metabo": (("KGS 216 M", {"type_scie": "onglet", "weight": (9.0, 12.0)}),),
        },
        (69, 799), (2.0, 5.0),
        {
            "type_scie": ("sauteuse",),
            "alimentation": ("secteur",),
            "puissance": (500, 710, 1200, 1400, 1600, 1675),
        },
        "{noun} {type_scie} {brand} {model}",
        (
            "Coupes droites ou courbes, nettes et sans éclats : la {brand} {model} découpe bois, "
            "panneaux et plastiques.",
            "Guide parallèle et raccord d'aspiration fournis.",
        ),
        share=2,
    ),
    _t(
        "ponceuses", "Ponceuse",
        {
            "Bosch": (("PEX 300 AE", {"type_ponceuse": "excentrique"}),
                      ("PSM 80 A", {"type_ponceuse": "delta"})),
            "Makita": (("BO4556", {"type_ponceuse": "orbitale"}),
                       ("9404", {"type_ponceuse": "bande"})),
            "Festool": (("ETS 125 REQ", {"type_ponceuse": "excentrique"}),),
            "Ryobi": (("ROS300A", {"type_ponceuse": "excentrique"}),),
            "Black+Decker": (("BEW230", {"type_ponceuse": "delta"}),),
        },
        (39, 499), (1.0, 4.5),
        {
            "type_ponceuse": ("orbitale",),
            "alimentation": ("secteur",),
            "puissance": (80, 180, 250, 300, 350, 1010),
        },
        "{noun} {type_ponceuse} {brand} {model}",
        (
            "La ponceuse {brand} {model} prépare vos surfaces avant peinture ou vernis, avec une "
            "aspiration intégrée qui limite la poussière.",
        ),
    ),
    _t(
        "coffrets-outils", "Coffret d'outils",
        {
            "Stanley": ("FatMax", "STMT82831"),
            "Facom": ("CM.J1PG", "Protwist"),
            "Mannesmann": ("M29166",),
            "Bosch": ("Set d'accessoires X-Line",),
            "Makita": ("E-10730",),
        },
        (19, 349), (1.5, 12.0),
        {
            "nb_pieces": (24, 38, 65, 108, 120, 150, 216),
            "garantie": (2, 10),
        },
        "{noun} {brand} {model} {nb_pieces}",
        (
            "Le coffret {brand} {model} réunit {nb_pieces} d'outils rangés dans une mallette "
            "robuste, pour tous les petits travaux de la maison.",
        ),
        price_by="nb_pieces", second_hand=False,
    ),
)

# Exclusive bundles on the Black Friday shelf: sold by the retailer only, no attributes.
EVENT_TYPES: tuple[ProductType, ...] = (
    _t(
        EVENT_CATEGORY.code, "Pack Black Friday",
        {
            "Sony": (("console PlayStation 5 Slim + EA Sports FC 25 + 2e manette DualSense",
                      {"price": (549, 579), "weight": (4.5, 5.0)}),),
            "Lenovo": (("PC portable gamer LOQ 15 + souris et casque gaming",
                        {"price": (899, 999), "weight": (3.0, 3.5)}),),
            "Samsung": (("TV QLED 55\" Q60D + barre de son HW-Q600C",
                         {"price": (799, 899), "weight": (22.0, 25.0)}),),
            "Dyson": (("aspirateur V15 Detect + kit d'accessoires",
                       {"price": (599, 649), "weight": (4.0, 4.5)}),),
            "Apple": (("iPhone 15 128 Go + AirPods 4", {"price": (899, 949),
                                                         "weight": (0.3, 0.4)}),),
            "Bosch": (("lave-linge Série 6 + sèche-linge Série 6",
                       {"price": (1199, 1299), "weight": (110.0, 125.0)}),),
            "Makita": (("perceuse DDF485 + 2 batteries 5 Ah + coffret",
                        {"price": (249, 279), "weight": (4.0, 5.0)}),),
            "Nintendo": (("Switch OLED + Mario Kart 8 Deluxe", {"price": (339, 369),
                                                                 "weight": (1.0, 1.2)}),),
        },
        (249, 1299), (0.3, 125.0),
        {},
        "{noun} : {brand} {model}",
        (
            "Offre exclusive Black Friday, en quantité limitée : {brand} {model}.",
            "Vendu et expédié par Storefront, retours gratuits sous 30 jours.",
        ),
        share=3, second_hand=False,
    ),
)

ALL_TYPES: tuple[ProductType, ...] = PRODUCT_TYPES + EVENT_TYPES


def brand_names() -> list[str]:
    return sorted({brand for product_type in ALL_TYPES for brand in product_type.brands})
