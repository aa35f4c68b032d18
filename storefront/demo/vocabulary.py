"""The demo shop's reference data, in French with English labels: sellers, the category tree,
attributes and their value lists, delivery, carriers, reason codes, discussion topics,
commissions and preferences.

Plain data only; :mod:`storefront.demo.shop` writes it through the marketplace services, and
:mod:`storefront.demo.product_types` describes what the products of each category look like.
Amounts are integer cents, as everywhere in the shop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from functools import cache

from storefront.marketplace.models import (
    AttributeType,
    Condition,
    ReasonType,
    RelationsModel,
    RequirementLevel,
)

REQUIRED = RequirementLevel.REQUIRED
RECOMMENDED = RequirementLevel.RECOMMENDED
OPTIONAL = RequirementLevel.OPTIONAL

RETAILER_CODE = "storefront"

# --- Category tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySpec:
    code: str
    label: str
    label_en: str
    children: tuple[CategorySpec, ...] = ()


def node(code: str, label: str, label_en: str, *children: CategorySpec) -> CategorySpec:
    return CategorySpec(code, label, label_en, children)


CATEGORY_TREE: tuple[CategorySpec, ...] = (
    node(
        "informatique", "Informatique", "Computing",
        node(
            "ordinateurs-portables", "Ordinateurs portables", "Laptops",
            node("pc-portables-gamer", "PC portables gamer", "Gaming laptops"),
            node("pc-portables-bureautique", "PC portables bureautique", "Everyday laptops"),
            node("ultraportables", "Ultraportables", "Ultrabooks"),
        ),
        node(
            "ordinateurs-de-bureau", "Ordinateurs de bureau", "Desktop computers",
            node("pc-gamer", "PC gamer", "Gaming PCs"),
            node("pc-tout-en-un", "PC tout-en-un", "All-in-one PCs"),
        ),
        node(
            "ecrans-pc", "Écrans PC", "Monitors",
            node("ecrans-gamer", "Écrans gamer", "Gaming monitors"),
            node("ecrans-bureautique", "Écrans bureautique", "Office monitors"),
        ),
        node(
            "stockage", "Stockage", "Storage",
            node("disques-durs-externes", "Disques durs externes", "External hard drives"),
            node("ssd-internes", "SSD internes", "Internal SSDs"),
            node("cles-usb", "Clés USB", "USB flash drives"),
        ),
        node(
            "peripheriques", "Périphériques", "Peripherals",
            node("claviers", "Claviers", "Keyboards"),
            node("souris", "Souris", "Mice"),
            node("imprimantes", "Imprimantes", "Printers"),
        ),
    ),
    node(
        "telephonie", "Téléphonie", "Phones",
        node(
            "smartphones", "Smartphones", "Smartphones",
            node("smartphones-android", "Smartphones Android", "Android smartphones"),
            node("iphone", "iPhone", "iPhone"),
        ),
        node(
            "objets-connectes", "Objets connectés", "Wearables",
            node("montres-connectees", "Montres connectées", "Smartwatches"),
            node("bracelets-connectes", "Bracelets connectés", "Fitness trackers"),
        ),
        node(
            "accessoires-telephonie", "Accessoires téléphonie", "Phone accessories",
            node("chargeurs", "Chargeurs et câbles", "Chargers and cables"),
            node("batteries-externes", "Batteries externes", "Power banks"),
        ),
    ),
    node(
        "tv-son", "TV & Son", "TV & Audio",
        node(
            "televiseurs", "Téléviseurs", "Televisions",
            node("tv-oled", "TV OLED", "OLED TVs"),
            node("tv-led-qled", "TV LED et QLED", "LED and QLED TVs"),
        ),
        node(
            "audio", "Audio", "Audio",
            node("casques-audio", "Casques audio", "Headphones"),
            node("enceintes-bluetooth", "Enceintes Bluetooth", "Bluetooth speakers"),
            node("barres-de-son", "Barres de son", "Soundbars"),
        ),
    ),
    node(
        "maison", "Maison & Électroménager", "Home & Appliances",
        node(
            "gros-electromenager", "Gros électroménager", "Large appliances",
            node("lave-linge", "Lave-linge", "Washing machines"),
            node("refrigerateurs", "Réfrigérateurs", "Refrigerators"),
            node("lave-vaisselle", "Lave-vaisselle", "Dishwashers"),
        ),
        node(
            "petit-electromenager", "Petit électroménager", "Small appliances",
            node("machines-a-cafe", "Machines à café", "Coffee machines"),
            node("aspirateurs", "Aspirateurs", "Vacuum cleaners"),
            node("friteuses-sans-huile", "Friteuses sans huile", "Air fryers"),
        ),
        node(
            "meubles", "Meubles et literie", "Furniture and bedding",
            node("canapes", "Canapés", "Sofas"),
            node("matelas", "Matelas", "Mattresses"),
        ),
    ),
    node(
        "jardin", "Jardin", "Garden",
        node(
            "motoculture", "Motoculture", "Power garden tools",
            node("tondeuses", "Tondeuses", "Lawn mowers"),
            node("robots-tondeuses", "Robots tondeuses", "Robotic mowers"),
            node("taille-haies", "Taille-haies", "Hedge trimmers"),
        ),
        node(
            "mobilier-de-jardin", "Mobilier de jardin", "Garden furniture",
            node("salons-de-jardin", "Salons de jardin", "Garden lounge sets"),
        ),
        node(
            "barbecues", "Barbecues et planchas", "Barbecues and griddles",
            node("barbecues-gaz", "Barbecues à gaz", "Gas barbecues"),
            node("planchas", "Planchas", "Griddles"),
        ),
    ),
    node(
        "sport", "Sport", "Sport",
        node(
            "cycles", "Cycles et mobilité", "Cycling and mobility",
            node("velos-electriques", "Vélos électriques", "E-bikes"),
            node("trottinettes-electriques", "Trottinettes électriques", "E-scooters"),
        ),
        node(
            "fitness", "Fitness et musculation", "Fitness",
            node("tapis-de-course", "Tapis de course", "Treadmills"),
            node("velos-appartement", "Vélos d'appartement", "Exercise bikes"),
        ),
    ),
    node(
        "jeux-video", "Jeux vidéo", "Video games",
        node(
            "consoles", "Consoles", "Consoles",
            node("consoles-de-salon", "Consoles de salon", "Home consoles"),
            node("consoles-portables", "Consoles portables", "Handheld consoles"),
        ),
        node(
            "jeux", "Jeux", "Games",
            node("jeux-ps5", "Jeux PS5", "PS5 games"),
            node("jeux-switch", "Jeux Nintendo Switch", "Nintendo Switch games"),
            node("jeux-xbox", "Jeux Xbox Series", "Xbox Series games"),
        ),
        node(
            "accessoires-gaming", "Accessoires gaming", "Gaming accessories",
            node("manettes", "Manettes", "Controllers"),
            node("casques-gaming", "Casques gaming", "Gaming headsets"),
        ),
    ),
    node(
        "bricolage", "Bricolage", "DIY",
        node(
            "outillage-electroportatif", "Outillage électroportatif", "Power tools",
            node("perceuses-visseuses", "Perceuses-visseuses", "Drill drivers"),
            node("scies", "Scies électriques", "Power saws"),
            node("ponceuses", "Ponceuses", "Sanders"),
        ),
        node(
            "outillage-a-main", "Outillage à main", "Hand tools",
            node("coffrets-outils", "Coffrets d'outils", "Tool kits"),
        ),
    ),
)

# A promotional shelf shown on the home page (CategoryKind.EVENT); its products are the packs of
# :data:`storefront.demo.product_types.EVENT_TYPES`.
EVENT_CATEGORY = CategorySpec("black-friday", "Black Friday", "Black Friday")


def walk():
    """(spec, parent code, level, position) for every node of the tree, parents first."""
    for position, spec in enumerate(CATEGORY_TREE):
        yield spec, None, 1, position
        yield from _walk_children(spec, 2)


def _walk_children(spec: CategorySpec, level: int):
    for position, child in enumerate(spec.children):
        yield child, spec.code, level, position
        yield from _walk_children(child, level + 1)


@cache
def parents() -> dict[str, str | None]:
    return {spec.code: parent for spec, parent, _level, _position in walk()}


def top_level_of(code: str) -> str:
    chain = parents()
    while chain[code] is not None:
        code = chain[code]
    return code


# --- Value lists and attributes ------------------------------------------------------------------

VALUE_LISTS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "couleurs": ("Couleurs", [
        ("noir", "Noir", "Black"), ("blanc", "Blanc", "White"), ("gris", "Gris", "Grey"),
        ("argent", "Argent", "Silver"), ("bleu", "Bleu", "Blue"), ("rouge", "Rouge", "Red"),
        ("vert", "Vert", "Green"), ("rose", "Rose", "Pink"), ("or", "Or", "Gold"),
        ("beige", "Beige", "Beige"), ("inox", "Inox", "Stainless steel"),
        ("anthracite", "Anthracite", "Charcoal"), ("violet", "Violet", "Purple"),
    ]),
    "tailles-ecran": ("Tailles d'écran", [
        (code, f'{label}"', f'{label.replace(",", ".")}"')
        for code, label in [
            ("1-4", "1,4"), ("1-9", "1,9"), ("5-5", "5,5"), ("6-1", "6,1"), ("6-3", "6,3"),
            ("6-7", "6,7"), ("6-9", "6,9"), ("7", "7"), ("7-4", "7,4"), ("8-8", "8,8"),
            ("13-3", "13,3"), ("13-6", "13,6"), ("14", "14"), ("15-3", "15,3"), ("15-6", "15,6"),
            ("16", "16"),
            ("17-3", "17,3"), ("23-8", "23,8"), ("24", "24"), ("27", "27"), ("32", "32"),
            ("34", "34"), ("43", "43"), ("50", "50"), ("55", "55"), ("65", "65"), ("75", "75"),
            ("77", "77"), ("85", "85"),
        ]
    ]),
    "capacites-stockage": ("Capacités de stockage", [
        ("32-go", "32 Go", "32 GB"), ("64-go", "64 Go", "64 GB"), ("128-go", "128 Go", "128 GB"),
        ("256-go", "256 Go", "256 GB"), ("512-go", "512 Go", "512 GB"), ("1-to", "1 To", "1 TB"),
        ("2-to", "2 To", "2 TB"), ("4-to", "4 To", "4 TB"), ("5-to", "5 To", "5 TB"),
        ("8-to", "8 To", "8 TB"),
    ]),
    "memoires-vives": ("Mémoire vive", [
        ("8-go", "8 Go", "8 GB"), ("16-go", "16 Go", "16 GB"), ("32-go", "32 Go", "32 GB"),
        ("64-go", "64 Go", "64 GB"),
    ]),
    "processeurs": ("Processeurs", [
        ("intel-core-i5", "Intel Core i5", "Intel Core i5"),
        ("intel-core-i7", "Intel Core i7", "Intel Core i7"),
        ("intel-core-i9", "Intel Core i9", "Intel Core i9"),
        ("intel-core-ultra-5", "Intel Core Ultra 5", "Intel Core Ultra 5"),
        ("intel-core-ultra-7", "Intel Core Ultra 7", "Intel Core Ultra 7"),
        ("amd-ryzen-5", "AMD Ryzen 5", "AMD Ryzen 5"),
        ("amd-ryzen-7", "AMD Ryzen 7", "AMD Ryzen 7"),
        ("amd-ryzen-9", "AMD Ryzen 9", "AMD Ryzen 9"),
        ("apple-m3", "Apple M3", "Apple M3"), ("apple-m4", "Apple M4", "Apple M4"),
        ("snapdragon-x", "Snapdragon X Elite", "Snapdragon X Elite"),
    ]),
    "systemes": ("Systèmes d'exploitation", [
        ("windows-11", "Windows 11", "Windows 11"), ("macos", "macOS", "macOS"),
        ("chromeos", "ChromeOS", "ChromeOS"), ("android", "Android", "Android"),
        ("ios", "iOS", "iOS"), ("wear-os", "Wear OS", "Wear OS"),
        ("watchos", "watchOS", "watchOS"), ("sans", "Sans système", "No operating system"),
    ]),
    "classes-energetiques": ("Classes énergétiques", [
        (letter.lower(), letter, letter) for letter in "ABCDEFG"
    ]),
    "resolutions": ("Résolutions", [
        ("hd", "HD (720p)", "HD (720p)"), ("full-hd", "Full HD", "Full HD"),
        ("qhd", "QHD", "QHD"), ("4k", "4K UHD", "4K UHD"), ("8k", "8K", "8K"),
    ]),
    "types-dalle": ("Types de dalle", [
        ("oled", "OLED", "OLED"), ("qled", "QLED", "QLED"), ("mini-led", "Mini LED", "Mini LED"),
        ("led", "LED", "LED"), ("ips", "IPS", "IPS"), ("va", "VA", "VA"),
    ]),
    "connexions": ("Connexions", [
        ("filaire", "Filaire", "Wired"), ("sans-fil", "Sans fil 2,4 GHz", "2.4 GHz wireless"),
        ("bluetooth", "Bluetooth", "Bluetooth"), ("usb-c", "USB-C", "USB-C"),
        ("usb-a", "USB-A", "USB-A"), ("wifi", "Wi-Fi", "Wi-Fi"),
    ]),
    "types-touches": ("Types de touches", [
        ("mecanique", "Mécanique", "Mechanical"), ("membrane", "Membrane", "Membrane"),
        ("ciseaux", "Ciseaux (extra-plat)", "Scissor switch (low profile)"),
    ]),
    "types-imprimante": ("Types d'imprimante", [
        ("jet-encre", "Jet d'encre", "Inkjet"), ("laser", "Laser monochrome", "Mono laser"),
        ("laser-couleur", "Laser couleur", "Colour laser"),
        ("reservoirs", "Réservoirs d'encre", "Ink tank"),
    ]),
    "plateformes": ("Plateformes", [
        ("ps5", "PS5", "PS5"), ("xbox-series", "Xbox Series X|S", "Xbox Series X|S"),
        ("switch", "Nintendo Switch", "Nintendo Switch"), ("pc", "PC", "PC"),
        ("multi", "Multiplateforme", "Multi-platform"),
    ]),
    "pegi": ("Classifications PEGI", [
        (age, f"PEGI {age}", f"PEGI {age}") for age in ("3", "7", "12", "16", "18")
    ]),
    "genres-jeu": ("Genres de jeu", [
        ("action", "Action", "Action"), ("aventure", "Aventure", "Adventure"),
        ("sport", "Sport", "Sports"), ("course", "Course", "Racing"),
        ("jeu-de-role", "Jeu de rôle", "Role-playing"), ("plates-formes", "Plates-formes", "Platformer"),
        ("combat", "Combat", "Fighting"), ("party-game", "Party game", "Party game"),
        ("simulation", "Simulation", "Simulation"), ("tir", "Tir", "Shooter"),
    ]),
    "editions": ("Éditions", [
        ("standard", "Édition Standard", "Standard Edition"),
        ("deluxe", "Édition Deluxe", "Deluxe Edition"),
        ("collector", "Édition Collector", "Collector's Edition"),
        ("day-one", "Édition Day One", "Day One Edition"),
    ]),
    "tailles-matelas": ("Dimensions de matelas", [
        ("90x190", "90 x 190 cm", "90 x 190 cm"), ("140x190", "140 x 190 cm", "140 x 190 cm"),
        ("160x200", "160 x 200 cm", "160 x 200 cm"), ("180x200", "180 x 200 cm", "180 x 200 cm"),
    ]),
    "fermetes": ("Fermetés", [
        ("souple", "Souple", "Soft"), ("equilibre", "Équilibré", "Medium"),
        ("ferme", "Ferme", "Firm"), ("tres-ferme", "Très ferme", "Extra firm"),
    ]),
    "matieres": ("Matières", [
        ("tissu", "Tissu", "Fabric"), ("velours", "Velours", "Velvet"),
        ("cuir", "Cuir", "Leather"), ("simili-cuir", "Simili cuir", "Faux leather"),
        ("aluminium", "Aluminium", "Aluminium"), ("resine-tressee", "Résine tressée", "Woven resin"),
        ("acacia", "Bois d'acacia", "Acacia wood"), ("acier", "Acier", "Steel"),
        ("fonte", "Fonte", "Cast iron"), ("mousse", "Mousse", "Foam"),
        ("ressorts-ensaches", "Ressorts ensachés", "Pocket springs"), ("latex", "Latex", "Latex"),
    ]),
    "alimentations": ("Alimentations", [
        ("batterie", "Batterie", "Battery"), ("secteur", "Électrique filaire", "Corded electric"),
        ("thermique", "Thermique", "Petrol"),
    ]),
    "installations": ("Installations", [
        ("pose-libre", "Pose libre", "Freestanding"), ("encastrable", "Encastrable", "Built-in"),
    ]),
    "types-chargement": ("Types de chargement", [
        ("hublot", "Hublot", "Front loader"), ("top", "Top", "Top loader"),
    ]),
    "types-refrigerateur": ("Types de réfrigérateur", [
        ("combine", "Combiné", "Fridge freezer"), ("americain", "Américain", "American style"),
        ("une-porte", "Une porte", "Single door"), ("multi-portes", "Multi-portes", "French door"),
    ]),
    "types-machine-cafe": ("Types de machine à café", [
        ("expresso-broyeur", "Expresso broyeur", "Bean-to-cup espresso"),
        ("capsules", "Capsules", "Capsule"), ("filtre", "Filtre", "Filter"),
        ("expresso-manuel", "Expresso manuel", "Manual espresso"),
    ]),
    "types-aspirateur": ("Types d'aspirateur", [
        ("balai", "Balai sans fil", "Cordless stick"), ("traineau", "Traîneau", "Cylinder"),
        ("robot", "Robot", "Robot"),
    ]),
    "tailles-cadre": ("Tailles de cadre", [
        ("s", "S (1,55 - 1,70 m)", "S (1.55 - 1.70 m)"), ("m", "M (1,70 - 1,80 m)", "M (1.70 - 1.80 m)"),
        ("l", "L (1,80 - 1,90 m)", "L (1.80 - 1.90 m)"), ("xl", "XL (1,90 m et plus)", "XL (1.90 m and over)"),
    ]),
    "types-velo": ("Types de vélo", [
        ("ville", "Ville", "City"), ("vtc", "VTC", "Hybrid"), ("vtt", "VTT", "Mountain"),
        ("route", "Route", "Road"), ("cargo", "Cargo", "Cargo"),
    ]),
    "types-scie": ("Types de scie", [
        ("sauteuse", "Scie sauteuse", "Jigsaw"), ("circulaire", "Scie circulaire", "Circular saw"),
        ("sabre", "Scie sabre", "Reciprocating saw"), ("onglet", "Scie à onglet", "Mitre saw"),
    ]),
    "types-ponceuse": ("Types de ponceuse", [
        ("orbitale", "Orbitale", "Orbital"), ("excentrique", "Excentrique", "Random orbit"),
        ("delta", "Delta", "Detail"), ("bande", "À bande", "Belt"),
    ]),
}


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    label: str
    label_en: str
    type: AttributeType
    unit: str = ""
    value_list: str | None = None
    variant_axis: bool = False
    facetable: bool = True


def _list(code, label, label_en, value_list, *, variant_axis=False):
    return AttributeSpec(code, label, label_en, AttributeType.LIST, value_list=value_list,
                         variant_axis=variant_axis)


def _int(code, label, label_en, unit):
    return AttributeSpec(code, label, label_en, AttributeType.INTEGER, unit=unit)


def _dec(code, label, label_en, unit):
    return AttributeSpec(code, label, label_en, AttributeType.DECIMAL, unit=unit)


def _bool(code, label, label_en):
    return AttributeSpec(code, label, label_en, AttributeType.BOOLEAN)


ATTRIBUTES: tuple[AttributeSpec, ...] = (
    AttributeSpec("modele", "Modèle", "Model", AttributeType.TEXT, facetable=False),
    _list("couleur", "Couleur", "Colour", "couleurs", variant_axis=True),
    _dec("poids", "Poids", "Weight", "kg"),
    _int("garantie", "Garantie constructeur", "Manufacturer warranty", "ans"),
    _list("taille_ecran", "Taille d'écran", "Screen size", "tailles-ecran", variant_axis=True),
    _list("stockage", "Capacité de stockage", "Storage capacity", "capacites-stockage",
          variant_axis=True),
    _list("memoire_vive", "Mémoire vive (RAM)", "Memory (RAM)", "memoires-vives", variant_axis=True),
    _list("processeur", "Processeur", "Processor", "processeurs"),
    _list("systeme", "Système d'exploitation", "Operating system", "systemes"),
    _list("resolution", "Résolution", "Resolution", "resolutions"),
    _list("type_dalle", "Type de dalle", "Panel type", "types-dalle"),
    _int("frequence", "Fréquence de rafraîchissement", "Refresh rate", "Hz"),
    _list("classe_energetique", "Classe énergétique", "Energy class", "classes-energetiques"),
    _list("type_chargement", "Type de chargement", "Loading type", "types-chargement"),
    _int("capacite_kg", "Capacité de lavage", "Washing capacity", "kg"),
    _int("essorage", "Vitesse d'essorage", "Spin speed", "tr/min"),
    _list("type_refrigerateur", "Type de réfrigérateur", "Refrigerator type", "types-refrigerateur"),
    _int("volume_l", "Volume utile", "Net capacity", "L"),
    _int("couverts", "Nombre de couverts", "Place settings", "couverts"),
    _int("niveau_sonore", "Niveau sonore", "Noise level", "dB"),
    _list("installation", "Installation", "Installation", "installations"),
    _int("puissance", "Puissance", "Power", "W"),
    _dec("capacite_l", "Capacité", "Capacity", "L"),
    _list("type_machine_cafe", "Type de machine", "Machine type", "types-machine-cafe"),
    _int("pression", "Pression", "Pressure", "bar"),
    _list("type_aspirateur", "Type d'aspirateur", "Vacuum type", "types-aspirateur"),
    _bool("sans_fil", "Sans fil", "Cordless"),
    _bool("smart_tv", "Smart TV", "Smart TV"),
    _bool("compatible_5g", "Compatible 5G", "5G"),
    _bool("reduction_bruit", "Réduction de bruit active", "Active noise cancelling"),
    _bool("etanche", "Étanche", "Waterproof"),
    _bool("eclairage_rgb", "Éclairage RGB", "RGB lighting"),
    _bool("pliable", "Pliable", "Foldable"),
    _int("autonomie_h", "Autonomie", "Battery life", "h"),
    _int("autonomie_km", "Autonomie", "Range", "km"),
    _int("capacite_mah", "Capacité de la batterie", "Battery capacity", "mAh"),
    _list("connexion", "Connexion", "Connectivity", "connexions"),
    _list("type_touches", "Type de touches", "Key type", "types-touches"),
    _int("dpi", "Résolution du capteur", "Sensor resolution", "DPI"),
    _list("type_imprimante", "Technologie d'impression", "Printing technology", "types-imprimante"),
    _int("vitesse_lecture", "Vitesse de lecture", "Read speed", "Mo/s"),
    _list("plateforme", "Plateforme", "Platform", "plateformes"),
    _list("pegi", "Classification PEGI", "PEGI rating", "pegi"),
    _list("genre", "Genre", "Genre", "genres-jeu"),
    _list("edition", "Édition", "Edition", "editions", variant_axis=True),
    _list("taille_matelas", "Dimensions", "Size", "tailles-matelas", variant_axis=True),
    _list("fermete", "Fermeté", "Firmness", "fermetes"),
    _list("matiere", "Matière", "Material", "matieres"),
    _int("places", "Nombre de places", "Seats", "places"),
    _list("alimentation", "Alimentation", "Power source", "alimentations"),
    _int("tension", "Tension", "Voltage", "V"),
    _int("largeur_coupe", "Largeur de coupe", "Cutting width", "cm"),
    _int("surface_max", "Surface conseillée", "Recommended area", "m²"),
    _int("bruleurs", "Nombre de brûleurs", "Burners", "brûleurs"),
    _list("type_velo", "Type de vélo", "Bike type", "types-velo"),
    _list("taille_cadre", "Taille de cadre", "Frame size", "tailles-cadre", variant_axis=True),
    _int("vitesse_max", "Vitesse maximale", "Top speed", "km/h"),
    _list("type_scie", "Type de scie", "Saw type", "types-scie"),
    _list("type_ponceuse", "Type de ponceuse", "Sander type", "types-ponceuse"),
    _int("nb_pieces", "Nombre de pièces", "Pieces", "pièces"),
)
ATTRIBUTES_BY_CODE = {attribute.code: attribute for attribute in ATTRIBUTES}

# Attributes asked per category, inherited by subcategories (the nearest category wins).
CATEGORY_ATTRIBUTES: dict[str, list[tuple[str, RequirementLevel]]] = {
    # Every shelf asks for the model; weight and colour where they mean something.
    "informatique": [("modele", RECOMMENDED), ("poids", RECOMMENDED), ("couleur", OPTIONAL),
                     ("garantie", OPTIONAL)],
    "telephonie": [("modele", RECOMMENDED), ("poids", RECOMMENDED), ("couleur", RECOMMENDED)],
    "tv-son": [("modele", RECOMMENDED), ("poids", RECOMMENDED), ("couleur", OPTIONAL),
               ("garantie", OPTIONAL)],
    "maison": [("modele", RECOMMENDED), ("poids", RECOMMENDED), ("couleur", OPTIONAL),
               ("garantie", OPTIONAL)],
    "jardin": [("modele", RECOMMENDED), ("poids", RECOMMENDED), ("garantie", OPTIONAL)],
    "sport": [("modele", RECOMMENDED), ("poids", RECOMMENDED), ("couleur", OPTIONAL)],
    "jeux-video": [("modele", OPTIONAL), ("plateforme", REQUIRED)],
    "bricolage": [("modele", RECOMMENDED), ("poids", RECOMMENDED), ("garantie", OPTIONAL)],
    # Computing
    "ordinateurs-portables": [("taille_ecran", REQUIRED), ("processeur", REQUIRED),
                              ("memoire_vive", REQUIRED), ("stockage", REQUIRED),
                              ("systeme", RECOMMENDED), ("autonomie_h", OPTIONAL)],
    "pc-portables-gamer": [("frequence", RECOMMENDED), ("eclairage_rgb", OPTIONAL)],
    "ordinateurs-de-bureau": [("processeur", REQUIRED), ("memoire_vive", REQUIRED),
                              ("stockage", REQUIRED), ("systeme", RECOMMENDED)],
    "pc-gamer": [("eclairage_rgb", OPTIONAL), ("puissance", OPTIONAL)],
    "pc-tout-en-un": [("taille_ecran", REQUIRED), ("resolution", RECOMMENDED)],
    "ecrans-pc": [("taille_ecran", REQUIRED), ("resolution", REQUIRED), ("type_dalle", RECOMMENDED),
                  ("frequence", RECOMMENDED), ("classe_energetique", RECOMMENDED)],
    "stockage": [("stockage", REQUIRED), ("connexion", RECOMMENDED)],
    "ssd-internes": [("vitesse_lecture", RECOMMENDED)],
    "disques-durs-externes": [("etanche", OPTIONAL)],
    "claviers": [("connexion", REQUIRED), ("type_touches", RECOMMENDED), ("eclairage_rgb", OPTIONAL)],
    "souris": [("connexion", REQUIRED), ("dpi", RECOMMENDED), ("eclairage_rgb", OPTIONAL)],
    "imprimantes": [("type_imprimante", REQUIRED), ("connexion", RECOMMENDED), ("sans_fil", OPTIONAL)],
    # Phones
    "smartphones": [("taille_ecran", REQUIRED), ("stockage", REQUIRED), ("systeme", REQUIRED),
                    ("compatible_5g", RECOMMENDED), ("capacite_mah", OPTIONAL),
                    ("memoire_vive", OPTIONAL)],
    "objets-connectes": [("autonomie_h", RECOMMENDED), ("etanche", RECOMMENDED)],
    "montres-connectees": [("taille_ecran", RECOMMENDED), ("systeme", RECOMMENDED)],
    "chargeurs": [("puissance", REQUIRED), ("connexion", REQUIRED)],
    "batteries-externes": [("capacite_mah", REQUIRED), ("puissance", RECOMMENDED),
                           ("connexion", OPTIONAL)],
    # TV & audio
    "televiseurs": [("taille_ecran", REQUIRED), ("resolution", REQUIRED), ("type_dalle", REQUIRED),
                    ("classe_energetique", REQUIRED), ("smart_tv", RECOMMENDED),
                    ("frequence", OPTIONAL)],
    "casques-audio": [("connexion", REQUIRED), ("reduction_bruit", RECOMMENDED),
                      ("autonomie_h", OPTIONAL)],
    "enceintes-bluetooth": [("puissance", RECOMMENDED), ("autonomie_h", RECOMMENDED),
                            ("etanche", OPTIONAL)],
    "barres-de-son": [("puissance", REQUIRED), ("connexion", OPTIONAL)],
    # Home
    "gros-electromenager": [("classe_energetique", REQUIRED), ("installation", REQUIRED),
                            ("niveau_sonore", RECOMMENDED)],
    "lave-linge": [("type_chargement", REQUIRED), ("capacite_kg", REQUIRED),
                   ("essorage", RECOMMENDED)],
    "refrigerateurs": [("type_refrigerateur", REQUIRED), ("volume_l", REQUIRED)],
    "lave-vaisselle": [("couverts", REQUIRED)],
    "petit-electromenager": [("puissance", RECOMMENDED)],
    "machines-a-cafe": [("type_machine_cafe", REQUIRED), ("pression", RECOMMENDED),
                        ("capacite_l", OPTIONAL)],
    "aspirateurs": [("type_aspirateur", REQUIRED), ("sans_fil", RECOMMENDED),
                    ("autonomie_h", OPTIONAL), ("capacite_l", OPTIONAL)],
    "friteuses-sans-huile": [("capacite_l", REQUIRED)],
    "canapes": [("places", REQUIRED), ("matiere", REQUIRED)],
    "matelas": [("taille_matelas", REQUIRED), ("fermete", REQUIRED), ("matiere", RECOMMENDED)],
    # Garden
    "motoculture": [("alimentation", REQUIRED), ("tension", OPTIONAL)],
    "tondeuses": [("largeur_coupe", REQUIRED), ("surface_max", RECOMMENDED)],
    "robots-tondeuses": [("surface_max", REQUIRED), ("largeur_coupe", OPTIONAL)],
    "taille-haies": [("largeur_coupe", REQUIRED)],
    "salons-de-jardin": [("places", REQUIRED), ("matiere", REQUIRED), ("couleur", OPTIONAL)],
    "barbecues": [("bruleurs", RECOMMENDED), ("puissance", OPTIONAL), ("matiere", OPTIONAL)],
    # Sport
    "velos-electriques": [("type_velo", REQUIRED), ("taille_cadre", REQUIRED),
                          ("autonomie_km", RECOMMENDED), ("couleur", OPTIONAL)],
    "trottinettes-electriques": [("autonomie_km", REQUIRED), ("vitesse_max", REQUIRED),
                                 ("pliable", RECOMMENDED), ("puissance", OPTIONAL)],
    "fitness": [("pliable", RECOMMENDED)],
    "tapis-de-course": [("vitesse_max", REQUIRED), ("puissance", RECOMMENDED)],
    # Video games
    "consoles": [("stockage", REQUIRED), ("couleur", OPTIONAL)],
    "consoles-portables": [("taille_ecran", RECOMMENDED)],
    "jeux": [("genre", REQUIRED), ("pegi", REQUIRED), ("edition", RECOMMENDED)],
    "accessoires-gaming": [("connexion", REQUIRED), ("couleur", OPTIONAL)],
    "casques-gaming": [("eclairage_rgb", OPTIONAL)],
    # DIY
    "outillage-electroportatif": [("alimentation", REQUIRED), ("tension", RECOMMENDED),
                                  ("puissance", OPTIONAL)],
    "scies": [("type_scie", REQUIRED)],
    "ponceuses": [("type_ponceuse", REQUIRED)],
    "coffrets-outils": [("nb_pieces", REQUIRED)],
}


def attributes_of(category_code: str) -> dict[str, RequirementLevel]:
    """The attributes a category asks for, its own and inherited (the nearest one wins)."""
    chain, parent_of = [], parents()
    code: str | None = category_code
    while code is not None:
        chain.append(code)
        code = parent_of.get(code)
    wanted: dict[str, RequirementLevel] = {}
    for code in reversed(chain):  # root first, so that nearer categories override
        for attribute, requirement in CATEGORY_ATTRIBUTES.get(code, ()):
            wanted[attribute] = requirement
    return wanted


# --- Sellers -------------------------------------------------------------------------------------

# (mode, zone, fee, extra-item fee, free threshold or None, transit min, transit max); cents, days.
Rate = tuple[str, str, int, int, int | None, int, int]


@dataclass(frozen=True)
class SellerSpec:
    code: str
    name: str
    legal_name: str
    siren: str  # 9 digits; the SIRET and VAT number are derived from it
    city: str
    description: str
    return_policy: str
    rates: tuple[Rate, ...]
    sells: tuple[str, ...]  # top-level category codes; empty for the retailer (sells everything)
    sku_prefix: str
    country: str = "FR"
    lead_time: tuple[int, int] = (1, 3)  # days to ship, min and max
    cutoff: time = time(14, 0)
    # Share of the seller's offers stored and shipped by the retailer's warehouse.
    operator_fulfilled: float = 0.0
    conditions: dict[Condition, float] = field(default_factory=lambda: {Condition.NEW: 1.0})
    price_level: float = 1.0  # multiplies the reference price
    rating: tuple[float, int] = (4.3, 40)  # average grade and number of ratings
    is_operator: bool = False


RETURN_POLICY_STANDARD = (
    "Vous disposez de 30 jours après réception pour nous retourner un article, sans avoir à vous "
    "justifier. Le produit doit être complet, dans son emballage d'origine. Les frais de retour "
    "sont à notre charge pour un article défectueux ou non conforme, à la vôtre dans les autres "
    "cas. Le remboursement intervient sous 14 jours après réception du retour."
)

SELLERS: tuple[SellerSpec, ...] = (
    SellerSpec(
        code=RETAILER_CODE,
        name="Storefront",
        legal_name="Storefront SAS",
        siren="812345678",
        city="Lyon",
        description=(
            "Le magasin en ligne Storefront : des milliers de produits vendus et expédiés par nos "
            "soins depuis notre entrepôt de Saint-Priest, un service client basé à Lyon et la "
            "livraison offerte dès 25 € d'achat en France métropolitaine."
        ),
        return_policy=(
            "Retours gratuits sous 30 jours en point relais ou en magasin partenaire. Les produits "
            "de gros électroménager sont repris à domicile sur rendez-vous. Remboursement sous "
            "7 jours après réception du retour, sur le moyen de paiement utilisé."
        ),
        rates=(
            ("THD", "FR-MAIN", 499, 100, 2500, 2, 3),
            ("THD", "FR-COR", 990, 200, None, 3, 5),
            ("THD", "FR-DOM", 1990, 500, None, 7, 12),
            ("THD", "BE", 790, 150, 4900, 2, 4),
            ("EHD", "FR-MAIN", 990, 200, None, 1, 1),
            ("EHD", "BE", 1490, 300, None, 1, 2),
            ("RELAY", "FR-MAIN", 299, 50, 2500, 3, 4),
            ("RELAY", "FR-COR", 490, 100, None, 4, 6),
            ("RELAY", "BE", 390, 100, 3900, 3, 5),
            ("FDHD", "FR-MAIN", 4900, 0, 49900, 3, 7),
            ("FDHD", "FR-COR", 9900, 0, None, 6, 10),
            ("FDHD", "BE", 7900, 0, None, 5, 9),
        ),
        sells=(),
        sku_prefix="SF",
        lead_time=(0, 1),
        cutoff=time(15, 0),
        rating=(4.5, 120),
        is_operator=True,
    ),
    SellerSpec(
        code="maison-electro",
        name="Maison & Électro",
        legal_name="Maison et Électro SARL",
        siren="529874163",
        city="Villeurbanne",
        description=(
            "Spécialiste lyonnais du gros électroménager et de l'ameublement depuis 1987. Nos "
            "livreurs installent vos appareils et reprennent l'ancien gratuitement."
        ),
        return_policy=(
            "Rétractation sous 14 jours. Pour le gros électroménager, le retour se fait sur "
            "rendez-vous : l'appareil doit être débranché, vidé et sec. Reprise de l'ancien "
            "appareil offerte lors de la livraison programmée."
        ),
        rates=(
            ("THD", "FR-MAIN", 690, 200, 9900, 2, 5),
            ("THD", "FR-COR", 1990, 500, None, 5, 8),
            ("FDHD", "FR-MAIN", 3990, 0, 79900, 4, 8),
            ("FDHD", "FR-COR", 8990, 0, None, 8, 14),
        ),
        sells=("maison", "tv-son", "jardin"),
        sku_prefix="ME",
        lead_time=(1, 4),
        cutoff=time(12, 0),
        conditions={Condition.NEW: 0.9, Condition.LIKE_NEW: 0.1},
        price_level=0.98,
        rating=(4.4, 86),
    ),
    SellerSpec(
        code="techno-plus",
        name="TechnoPlus",
        legal_name="TechnoPlus Distribution SAS",
        siren="790112358",
        city="Paris",
        description=(
            "Informatique, téléphonie et image & son au meilleur prix. Plus de 20 000 références "
            "en stock, une équipe de passionnés à Paris 11e pour vous conseiller."
        ),
        return_policy=RETURN_POLICY_STANDARD,
        rates=(
            ("THD", "FR-MAIN", 590, 100, 4900, 2, 3),
            ("THD", "FR-COR", 1290, 200, None, 4, 6),
            ("THD", "BE", 890, 150, None, 3, 5),
            ("EHD", "FR-MAIN", 1190, 200, None, 1, 1),
            ("RELAY", "FR-MAIN", 390, 50, 3900, 3, 5),
        ),
        sells=("informatique", "telephonie", "tv-son", "jeux-video"),
        sku_prefix="TP",
        lead_time=(1, 2),
        cutoff=time(16, 0),
        operator_fulfilled=0.3,
        price_level=0.97,
        rating=(4.2, 214),
    ),
    SellerSpec(
        code="reconditionne-express",
        name="Reconditionné Express",
        legal_name="RecoExpress SAS",
        siren="881204567",
        city="Bordeaux",
        description=(
            "Smartphones, ordinateurs et consoles reconditionnés dans nos ateliers de Mérignac. "
            "Chaque appareil passe 40 points de contrôle et est garanti 12 mois."
        ),
        return_policy=(
            "Garantie commerciale de 12 mois sur tous nos produits reconditionnés, en plus de la "
            "garantie légale. Retour gratuit sous 30 jours si l'appareil ne vous convient pas : "
            "étiquette prépayée envoyée par e-mail."
        ),
        rates=(
            ("THD", "FR-MAIN", 0, 0, None, 2, 4),
            ("THD", "FR-COR", 690, 0, None, 4, 7),
            ("THD", "FR-DOM", 1490, 300, None, 8, 14),
            ("RELAY", "FR-MAIN", 0, 0, None, 3, 5),
        ),
        sells=("informatique", "telephonie", "tv-son", "jeux-video"),
        sku_prefix="RX",
        lead_time=(1, 3),
        conditions={Condition.REFURBISHED: 0.65, Condition.LIKE_NEW: 0.2,
                    Condition.VERY_GOOD: 0.1, Condition.GOOD: 0.05},
        rating=(4.1, 158),
    ),
    SellerSpec(
        code="au-jardin-de-marcel",
        name="Au Jardin de Marcel",
        legal_name="Marcel Jardinage EURL",
        siren="451238907",
        city="Angers",
        description=(
            "Jardinerie familiale angevine : motoculture, mobilier de jardin et barbecues. "
            "Marcel et son équipe répondent à vos questions du lundi au samedi."
        ),
        return_policy=(
            "Retour accepté sous 14 jours pour les articles non utilisés. Les machines "
            "thermiques ayant reçu du carburant ne sont pas reprises. Frais de retour à la charge "
            "du client, sauf produit défectueux."
        ),
        rates=(
            ("THD", "FR-MAIN", 890, 300, 14900, 3, 5),
            ("RELAY", "FR-MAIN", 490, 100, 6900, 4, 6),
        ),
        sells=("jardin", "bricolage"),
        sku_prefix="JM",
        lead_time=(2, 4),
        cutoff=time(11, 0),
        price_level=1.02,
        rating=(4.7, 63),
    ),
    SellerSpec(
        code="brico-pro",
        name="Brico Pro Services",
        legal_name="Brico Pro Services SAS",
        siren="538761209",
        city="Lille",
        description=(
            "L'outillage des professionnels au service des particuliers : électroportatif, "
            "outillage à main et équipement de jardin, livrés partout en France et en Belgique."
        ),
        return_policy=RETURN_POLICY_STANDARD,
        rates=(
            ("THD", "FR-MAIN", 690, 150, 9900, 2, 4),
            ("THD", "BE", 690, 150, 9900, 2, 4),
            ("EHD", "FR-MAIN", 1290, 300, None, 1, 1),
            ("RELAY", "FR-MAIN", 390, 100, 4900, 3, 5),
            ("RELAY", "BE", 490, 100, None, 3, 5),
        ),
        sells=("bricolage", "jardin", "maison"),
        sku_prefix="BP",
        lead_time=(1, 2),
        price_level=0.99,
        rating=(4.3, 97),
    ),
    SellerSpec(
        code="cycles-leon",
        name="Cycles Léon",
        legal_name="Cycles Léon SARL",
        siren="483920175",
        city="Annecy",
        description=(
            "Magasin de cycles au bord du lac d'Annecy : vélos électriques, trottinettes et "
            "fitness. Vélos livrés réglés, prêts à rouler, avec révision offerte à 3 mois."
        ),
        return_policy=(
            "Rétractation sous 14 jours. Le vélo doit nous revenir non roulé, dans son carton "
            "d'origine ; nous organisons l'enlèvement à vos frais (49 €). Batteries garanties "
            "2 ans."
        ),
        rates=(
            ("THD", "FR-MAIN", 1490, 500, 59900, 3, 6),
            ("THD", "FR-COR", 3990, 1000, None, 6, 10),
            ("RELAY", "FR-MAIN", 690, 200, 9900, 4, 6),
        ),
        sells=("sport",),
        sku_prefix="CL",
        lead_time=(2, 5),
        cutoff=time(12, 0),
        conditions={Condition.NEW: 0.85, Condition.LIKE_NEW: 0.1, Condition.USED: 0.05},
        price_level=1.01,
        rating=(4.8, 41),
    ),
    SellerSpec(
        code="game-zone",
        name="Game Zone Marseille",
        legal_name="Game Zone SAS",
        siren="802736451",
        city="Marseille",
        description=(
            "Jeux vidéo neufs et d'occasion, consoles et accessoires. Rachat de vos jeux en "
            "boutique sur le Vieux-Port, envoi soigné sous 24 h."
        ),
        return_policy=(
            "Jeux et consoles d'occasion testés et garantis 6 mois. Retour sous 14 jours pour "
            "les jeux neufs encore sous blister ; les jeux ouverts ne sont ni repris ni échangés, "
            "sauf défaut."
        ),
        rates=(
            ("THD", "FR-MAIN", 390, 100, 3500, 2, 3),
            ("THD", "FR-COR", 690, 100, None, 3, 5),
            ("THD", "FR-DOM", 990, 200, None, 7, 12),
            ("THD", "BE", 690, 100, None, 3, 5),
            ("RELAY", "FR-MAIN", 290, 50, 2500, 3, 5),
        ),
        sells=("jeux-video", "informatique"),
        sku_prefix="GZ",
        lead_time=(0, 2),
        conditions={Condition.NEW: 0.6, Condition.USED: 0.25, Condition.LIKE_NEW: 0.1,
                    Condition.GOOD: 0.05},
        price_level=0.96,
        rating=(4.0, 302),
    ),
    SellerSpec(
        code="boutique-du-son",
        name="La Boutique du Son",
        legal_name="La Boutique du Son SARL",
        siren="418256730",
        city="Nantes",
        description=(
            "Auditorium nantais depuis 1994 : téléviseurs, barres de son, casques et enceintes "
            "sélectionnés et écoutés par nos vendeurs."
        ),
        return_policy=(
            "Retour sous 30 jours, produit complet et en bon état. Pour les téléviseurs de plus "
            "de 55 pouces, nous venons chercher le colis chez vous gratuitement."
        ),
        rates=(
            ("THD", "FR-MAIN", 790, 200, 19900, 2, 4),
            ("EHD", "FR-MAIN", 1490, 300, None, 1, 2),
            ("RELAY", "FR-MAIN", 490, 100, 9900, 3, 5),
        ),
        sells=("tv-son", "telephonie"),
        sku_prefix="BS",
        lead_time=(1, 2),
        operator_fulfilled=0.2,
        price_level=1.03,
        rating=(4.6, 77),
    ),
    SellerSpec(
        code="outre-mer-distribution",
        name="Outre-Mer Distribution",
        legal_name="Outre-Mer Distribution SAS",
        siren="377164529",
        city="Saint-Denis (La Réunion)",
        description=(
            "Le grand magasin des outre-mer : high-tech, maison, jardin et loisirs expédiés "
            "depuis nos entrepôts de La Réunion et de Guadeloupe, et vers la métropole."
        ),
        return_policy=(
            "Rétractation sous 14 jours. Les retours depuis les DROM sont pris en charge par La "
            "Poste avec une étiquette que nous vous envoyons. Remboursement sous 14 jours."
        ),
        rates=(
            ("THD", "FR-DOM", 690, 150, 7900, 2, 4),
            ("THD", "FR-MAIN", 1290, 300, None, 8, 15),
            ("THD", "FR-COR", 1490, 300, None, 9, 16),
            ("RELAY", "FR-DOM", 390, 100, 4900, 3, 5),
        ),
        sells=("informatique", "telephonie", "tv-son", "maison", "jardin", "sport", "jeux-video",
               "bricolage"),
        sku_prefix="OM",
        lead_time=(1, 3),
        cutoff=time(10, 0),
        price_level=1.06,
        rating=(3.9, 58),
    ),
    SellerSpec(
        code="belgitech",
        name="BelgiTech",
        legal_name="BelgiTech SRL",
        siren="693018274",
        city="Bruxelles",
        country="BE",
        description=(
            "Revendeur informatique bruxellois : PC, écrans, smartphones et image & son, "
            "livrés en Belgique et en France."
        ),
        return_policy=(
            "Vous pouvez nous retourner un produit dans les 14 jours suivant sa réception. Les "
            "frais de retour vers Bruxelles sont à votre charge, sauf produit défectueux."
        ),
        rates=(
            ("THD", "BE", 490, 100, 4900, 1, 2),
            ("EHD", "BE", 990, 200, None, 1, 1),
            ("THD", "FR-MAIN", 790, 150, 7900, 2, 4),
            ("RELAY", "BE", 290, 50, 2900, 2, 3),
        ),
        sells=("informatique", "telephonie", "tv-son"),
        sku_prefix="BT",
        lead_time=(1, 2),
        rating=(4.2, 66),
    ),
    SellerSpec(
        code="comptoir-breton",
        name="Le Comptoir Breton",
        legal_name="Le Comptoir Breton SAS",
        siren="752981346",
        city="Rennes",
        description=(
            "Équipement de la maison, du jardin, de l'atelier et du sport, choisi par une équipe "
            "rennaise. Emballages recyclés, expédition depuis la Bretagne."
        ),
        return_policy=RETURN_POLICY_STANDARD,
        rates=(
            ("THD", "FR-MAIN", 590, 150, 5900, 2, 4),
            ("RELAY", "FR-MAIN", 350, 50, 3500, 3, 5),
        ),
        sells=("maison", "jardin", "bricolage", "sport"),
        sku_prefix="CB",
        lead_time=(1, 3),
        operator_fulfilled=0.1,
        price_level=1.0,
        rating=(4.5, 49),
    ),
    SellerSpec(
        code="mega-discount",
        name="Méga Discount",
        legal_name="Méga Discount SAS",
        siren="824603719",
        city="Toulouse",
        description=(
            "Les petits prix toute l'année sur tout le catalogue. La plupart de nos produits sont "
            "stockés dans l'entrepôt Storefront pour une livraison rapide."
        ),
        return_policy=(
            "Retour gratuit sous 14 jours pour les produits expédiés par Storefront ; pour les "
            "autres, frais de retour à votre charge. Remboursement sous 14 jours."
        ),
        rates=(
            ("THD", "FR-MAIN", 690, 200, 6900, 3, 5),
            ("THD", "FR-COR", 1490, 300, None, 5, 8),
            ("RELAY", "FR-MAIN", 390, 100, 3900, 4, 6),
        ),
        sells=("informatique", "telephonie", "tv-son", "maison", "jardin", "sport", "jeux-video",
               "bricolage"),
        sku_prefix="MD",
        lead_time=(2, 5),
        operator_fulfilled=0.6,
        conditions={Condition.NEW: 0.9, Condition.LIKE_NEW: 0.1},
        price_level=0.93,
        rating=(3.6, 412),
    ),
    SellerSpec(
        code="corsica-high-tech",
        name="Corsica High-Tech",
        legal_name="Corsica High-Tech SARL",
        siren="538002671",
        city="Ajaccio",
        description=(
            "Téléphonie, informatique et jeux vidéo depuis Ajaccio : livraison express en Corse, "
            "expédition sur le continent en 48 h."
        ),
        return_policy=(
            "Rétractation sous 14 jours, produit dans son emballage d'origine. Échange immédiat "
            "en boutique à Ajaccio."
        ),
        rates=(
            ("THD", "FR-COR", 390, 100, 4900, 1, 2),
            ("EHD", "FR-COR", 890, 200, None, 1, 1),
            ("THD", "FR-MAIN", 690, 150, 6900, 2, 4),
            ("RELAY", "FR-COR", 290, 50, 2900, 2, 3),
        ),
        sells=("telephonie", "informatique", "tv-son", "jeux-video"),
        sku_prefix="CH",
        lead_time=(1, 2),
        price_level=1.02,
        rating=(4.4, 38),
    ),
    SellerSpec(
        code="sport-evasion",
        name="Sport Évasion",
        legal_name="Sport Évasion SAS",
        siren="814257036",
        city="Grenoble",
        description=(
            "Vélos, trottinettes, fitness et plein air : le matériel testé par des sportifs "
            "grenoblois, avec des conseils d'entretien pour chaque produit."
        ),
        return_policy=(
            "Satisfait ou remboursé sous 30 jours pour tout article non utilisé. Échange de "
            "taille gratuit sur les vélos dans les 14 jours."
        ),
        rates=(
            ("THD", "FR-MAIN", 990, 300, 29900, 2, 5),
            ("THD", "BE", 1490, 400, None, 3, 6),
            ("EHD", "FR-MAIN", 1990, 500, None, 1, 2),
        ),
        sells=("sport", "jardin"),
        sku_prefix="SE",
        lead_time=(1, 3),
        price_level=1.0,
        rating=(4.6, 52),
    ),
)

# What ratings say, by grade (the demo's seller ratings pick from here).
RATING_COMMENTS: dict[int, tuple[str, ...]] = {
    5: ("Parfait, colis reçu en deux jours et très bien emballé.", "Vendeur sérieux, je recommande.",
        "Conforme à la description, rien à redire.", "Très réactif au moindre message, merci !"),
    4: ("Bon vendeur, livraison un peu lente mais produit impeccable.",
        "Produit conforme, emballage correct.", "Bonne communication, un jour de retard."),
    3: ("Correct, sans plus : le colis est arrivé avec trois jours de retard.",
        "Produit conforme mais notice uniquement en anglais."),
    2: ("Colis abîmé à la réception, produit heureusement intact.",
        "Réponse tardive à mes questions."),
    1: ("Commande annulée sans explication après une semaine d'attente.",),
}


def siret(siren: str, establishment: str = "0001") -> str:
    """A SIRET with a valid Luhn key: SIREN + 4-digit establishment number + key."""
    body = siren + establishment
    for key in range(10):
        digits = [int(d) for d in body + str(key)]
        total = sum(
            (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 1 else d
            for i, d in enumerate(reversed(digits))
        )
        if total % 10 == 0:
            return body + str(key)
    raise AssertionError("a Luhn key always exists")


def vat_number(siren: str, country: str = "FR") -> str:
    if country == "BE":
        return f"BE0{siren}"
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


# --- Delivery ------------------------------------------------------------------------------------

# (code, label, label_en, saturday delivery, minimum weight in grams)
DELIVERY_MODES: tuple[tuple[str, str, str, bool, int], ...] = (
    ("THD", "Livraison à domicile suivie", "Tracked home delivery", False, 0),
    ("EHD", "Livraison express à domicile", "Express home delivery", True, 0),
    ("RELAY", "Livraison en point relais", "Pickup point delivery", False, 0),
    ("FDHD", "Livraison programmée sur rendez-vous", "Scheduled delivery by appointment", False,
     30_000),
)

# (code, label, label_en, [(country, postal-code prefix)])
ZONES: tuple[tuple[str, str, str, list[tuple[str, str]]], ...] = (
    ("FR-MAIN", "France métropolitaine", "Mainland France", [("FR", "")]),
    ("FR-COR", "Corse", "Corsica", [("FR", "20")]),
    ("FR-DOM", "Outre-mer (DROM)", "French overseas departments",
     [("FR", prefix) for prefix in ("971", "972", "973", "974", "976")]),
    ("BE", "Belgique", "Belgium", [("BE", "")]),
)

CARRIERS: tuple[tuple[str, str, str], ...] = (
    ("COLISSIMO", "Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}"),
    ("CHRONOPOST", "Chronopost",
     "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={tracking}"),
    ("DPD", "DPD France", "https://trace.dpd.fr/fr/trace/{tracking}"),
    ("MONDIAL_RELAY", "Mondial Relay",
     "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={tracking}"),
    ("GLS", "GLS", "https://gls-group.com/FR/fr/suivi-colis?match={tracking}"),
    ("UPS", "UPS", "https://www.ups.com/track?loc=fr_FR&tracknum={tracking}"),
    ("GEODIS", "Geodis", "https://geodis.com/fr/suivi-de-colis?ref={tracking}"),
)

# --- Orders: reason codes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonSpec:
    code: str
    type: ReasonType
    label: str
    label_en: str
    customer: bool = False
    seller: bool = False
    operator: bool = True


C, RF, RS, M, INC = (ReasonType.CANCELATION, ReasonType.REFUND, ReasonType.REFUSAL,
                     ReasonType.ORDER_MESSAGING, ReasonType.INCIDENT)

REASON_CODES: tuple[ReasonSpec, ...] = (
    ReasonSpec("OUT_OF_STOCK", C, "Rupture de stock", "Out of stock", seller=True),
    ReasonSpec("CUSTOMER_REQUEST", C, "Annulation à la demande du client",
               "Cancelled at the customer's request", customer=True, seller=True),
    ReasonSpec("PRICE_ERROR", C, "Erreur de prix", "Pricing error", seller=True),
    ReasonSpec("INCOMPLETE_ADDRESS", C, "Adresse de livraison incomplète",
               "Incomplete delivery address", seller=True),
    ReasonSpec("CANNOT_DELIVER", C, "Livraison impossible à cette adresse",
               "Cannot deliver to this address", seller=True),
    ReasonSpec("SUSPECTED_FRAUD", C, "Suspicion de fraude", "Suspected fraud"),
    ReasonSpec("ACCEPTANCE_TIMEOUT", C, "Délai d'acceptation dépassé", "Acceptance deadline passed"),
    ReasonSpec("OUT_OF_STOCK", RS, "Rupture de stock", "Out of stock", seller=True),
    ReasonSpec("PRICE_ERROR", RS, "Erreur de prix", "Pricing error", seller=True),
    ReasonSpec("CANNOT_DELIVER", RS, "Livraison impossible vers cette zone",
               "Cannot deliver to this area", seller=True),
    ReasonSpec("WITHDRAWAL", RF, "Rétractation client", "Customer withdrawal", customer=True,
               seller=True),
    ReasonSpec("PARCEL_NOT_RECEIVED", RF, "Colis non reçu", "Parcel not received", customer=True,
               seller=True),
    ReasonSpec("DAMAGED", RF, "Produit endommagé", "Damaged product", customer=True, seller=True),
    ReasonSpec("NOT_AS_DESCRIBED", RF, "Produit non conforme à la description",
               "Product not as described", customer=True, seller=True),
    ReasonSpec("MISSING_ITEM", RF, "Article manquant dans le colis", "Item missing from parcel",
               customer=True, seller=True),
    ReasonSpec("DEFECTIVE", RF, "Produit défectueux", "Defective product", customer=True,
               seller=True),
    ReasonSpec("COMMERCIAL_GESTURE", RF, "Geste commercial", "Goodwill gesture", seller=True),
    ReasonSpec("SHIPPING_FEES", RF, "Remboursement des frais de port", "Shipping fee refund",
               seller=True),
    ReasonSpec("WHERE_IS_MY_ORDER", M, "Où est ma commande ?", "Where is my order?",
               customer=True),
    ReasonSpec("INVOICE_REQUEST", M, "Demande de facture", "Invoice request", customer=True),
    ReasonSpec("DELIVERY_DELAY", M, "Retard d'expédition", "Shipping delay", seller=True),
    ReasonSpec("PRODUCT_QUESTION", M, "Question sur le produit", "Question about the product",
               customer=True),
    ReasonSpec("PARCEL_NOT_RECEIVED", INC, "Colis non reçu", "Parcel not received",
               customer=True),
    ReasonSpec("DAMAGED", INC, "Produit endommagé", "Damaged product", customer=True),
    ReasonSpec("NOT_AS_DESCRIBED", INC, "Produit non conforme", "Product not as described",
               customer=True),
    ReasonSpec("WRONG_ITEM", INC, "Erreur d'article", "Wrong item received", customer=True),
)

# --- Discussions ---------------------------------------------------------------------------------

# (code, label, label_en, marketplace message type, about an order, about an offer)
DISCUSSION_TOPICS: tuple[tuple[str, str, str, str, bool, bool], ...] = (
    ("WHERE_IS_MY_ORDER", "Où est ma commande ?", "Where is my order?", "DELIVERY", True, False),
    ("DAMAGED_PRODUCT", "Produit endommagé", "Damaged product", "PRODUCT_DAMAGED", True, False),
    ("INVOICE_REQUEST", "Demande de facture", "Invoice request", "INVOICE", True, False),
    ("RETURN", "Retour / rétractation", "Return / withdrawal", "RETURN", True, False),
    ("PRODUCT_QUESTION", "Question sur le produit", "Question about the product",
     "PRODUCT_INFORMATION", False, True),
    ("OTHER", "Autre demande", "Other request", "OTHER", True, True),
)

# --- Finance -------------------------------------------------------------------------------------

DEFAULT_COMMISSION_BP = 1500
CATEGORY_COMMISSIONS_BP: dict[str, int] = {
    "informatique": 700,
    "telephonie": 800,
    "tv-son": 900,
    "maison": 1200,
    "jardin": 1400,
    "sport": 1300,
    "jeux-video": 1000,
    "bricolage": 1300,
}
# A negotiated rate: the refurbisher pays less on every category.
SELLER_COMMISSIONS_BP: dict[str, int] = {"reconditionne-express": 1100}

# --- Preferences ---------------------------------------------------------------------------------

STORE_SETTINGS: dict[str, object] = {
    "relations_model": RelationsModel.DIRECT.value,
    "show_sold_by": True,
    "show_shipped_by": True,
    "show_delivery_promise": True,
    "show_seller_rating": True,
}
