"""The words and numbers demo data is made of: people's names, what the cities are like, how hosts describe their
spaces, what guests drive and what they write in reviews and messages. Plain data, no database."""

from dataclasses import dataclass

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - documented demo credential, never used outside demo data
ADMIN_EMAIL = "admin@example.com"
DEMO_HOST_EMAIL = "host@example.com"
DEMO_SEEKER_EMAIL = "seeker@example.com"

DEFAULT_CITIES = "Austin,TX;Denver,CO;Chicago,IL;Seattle,WA;New York,NY;San Francisco,CA"

FIRST_NAMES = (
    "James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "William", "Elizabeth",
    "Daniel", "Sofia", "Matthew", "Aisha", "Anthony", "Priya", "Joshua", "Emily", "Andrew", "Olivia",
    "Kevin", "Grace", "Brian", "Chloe", "Jason", "Hannah", "Ryan", "Isabella", "Eric", "Mei",
    "Carlos", "Fatima", "Luis", "Keisha", "Jorge", "Rachel", "Tyler", "Nicole", "Marcus", "Ana",
    "Samuel", "Lauren", "Diego", "Megan", "Hiroshi", "Amara", "Nathan", "Julia", "Omar", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Patel",
)  # fmt: skip

HOST_BIOS = (
    "Homeowner with a spare spot. I keep the driveway clear and answer messages quickly.",
    "I manage a few spaces around the neighborhood. Happy to help with directions.",
    "Lifelong local. My garage sits empty during the day, so why not share it?",
    "Small lot operator. Attended during business hours, cameras around the clock.",
    "I work from home most days and am usually around if you need anything.",
)


@dataclass(frozen=True)
class CityProfile:
    """How pricey parking is in a city compared with the national middle, and the places people park near."""

    price_factor: float
    landmarks: tuple[str, ...]


GENERIC_LANDMARKS = (
    "downtown",
    "the convention center",
    "the stadium",
    "the university",
    "the medical center",
    "the train station",
    "Main Street shops",
)

CITY_PROFILES = {
    ("Austin", "TX"): CityProfile(1.0, ("downtown", "the UT campus", "South Congress", "Zilker Park", "the Domain")),
    ("Denver", "CO"): CityProfile(1.0, ("Coors Field", "LoDo", "Union Station", "RiNo", "Cherry Creek")),
    ("Chicago", "IL"): CityProfile(1.25, ("Wrigley Field", "the Loop", "Navy Pier", "the United Center")),
    ("Seattle", "WA"): CityProfile(1.25, ("Pike Place Market", "Capitol Hill", "Lumen Field", "South Lake Union")),
    ("New York", "NY"): CityProfile(
        1.75, ("Times Square", "Central Park", "Madison Square Garden", "the Financial District", "Barclays Center")
    ),
    ("San Francisco", "CA"): CityProfile(
        1.6, ("Oracle Park", "Union Square", "the Mission", "Chase Center", "Fisherman's Wharf")
    ),
}
DEFAULT_PROFILE = CityProfile(1.0, GENERIC_LANDMARKS)

STREETS = (
    "Main St", "Oak Ave", "Maple St", "Cedar Ln", "Park Ave", "Washington St", "Lake St", "Hill Rd", "Elm St",
    "Pine St", "2nd St", "5th Ave", "Lincoln Ave", "Jefferson St", "Highland Ave", "Sunset Blvd", "River Rd",
    "Madison Ave", "Franklin St", "Broadway", "Church St", "Spring St", "Walnut St", "Chestnut St", "Grant Ave",
)  # fmt: skip

# (spot type, weight, spaces range, title templates); "{near}" is a landmark.
SPOT_TYPES = (
    (
        "DRIVEWAY",
        30,
        (1, 1),
        (
            "Private driveway spot near {near}",
            "Driveway parking, short walk to {near}",
            "Quiet driveway close to {near}",
            "Easy-access driveway by {near}",
        ),
    ),
    (
        "GARAGE",
        25,
        (1, 2),
        (
            "Covered garage spot near {near}",
            "Secure private garage by {near}",
            "Garage parking steps from {near}",
            "Heated garage space near {near}",
        ),
    ),
    (
        "LOT",
        15,
        (5, 20),
        (
            "Reserved lot parking at {near}",
            "Gated lot near {near}",
            "Event parking lot by {near}",
            "Open-air lot close to {near}",
        ),
    ),
    (
        "COVERED",
        15,
        (1, 3),
        (
            "Covered carport near {near}",
            "Covered parking deck space by {near}",
            "Sheltered spot near {near}",
        ),
    ),
    ("STREET", 10, (1, 1), ("Reserved curbside spot near {near}", "Permit street space by {near}")),
    ("VALET", 5, (5, 15), ("Valet parking at {near}", "Hotel valet service near {near}")),
)

# What each kind of space usually offers, and which vehicle sizes it fits.
TYPICAL_FEATURES = {
    "DRIVEWAY": ("well_lit", "security_camera", "ev_charging"),
    "GARAGE": ("covered", "security_camera", "ev_charging", "well_lit"),
    "LOT": ("gated", "security_camera", "well_lit", "handicap_accessible", "ev_charging"),
    "COVERED": ("covered", "well_lit", "security_camera", "handicap_accessible"),
    "STREET": ("well_lit",),
    "VALET": ("covered", "gated", "security_camera", "handicap_accessible"),
}
TYPICAL_SIZES = {
    "DRIVEWAY": ("SEDAN", "SUV", "SUV"),
    "GARAGE": ("COMPACT", "SEDAN", "SEDAN", "SUV"),
    "LOT": ("SUV", "OVERSIZED"),
    "COVERED": ("SEDAN", "SUV"),
    "STREET": ("SEDAN", "SUV", "MOTORCYCLE"),
    "VALET": ("SUV",),
}
FEATURE_PHRASES = {
    "covered": "fully covered, so your car stays out of the sun and snow",
    "gated": "behind a gate",
    "security_camera": "watched by security cameras",
    "well_lit": "well lit at night",
    "ev_charging": "with a Level 2 EV charger you are welcome to use",
    "handicap_accessible": "with a step-free, accessible route to the street",
}
DESCRIPTION_OPENINGS = {
    "DRIVEWAY": "A private driveway spot in a quiet residential block.",
    "GARAGE": "A spot in a private garage with plenty of room to open your doors.",
    "LOT": "A reserved space in a surface lot.",
    "COVERED": "A covered space in a small parking structure.",
    "STREET": "A reserved curbside space in front of the building.",
    "VALET": "Hand over your keys at the front entrance and our attendants take it from there.",
}
ACCESS_INSTRUCTIONS = {
    "DRIVEWAY": "Pull all the way up to the garage door; the left side of the driveway is yours.",
    "GARAGE": "Enter from the alley behind the house. The side door code opens the garage; park on the right.",
    "LOT": "Enter from the side street and park in any space marked RESERVED.",
    "COVERED": "Drive to level 2 and park in any space with the Parking in a Pinch sign.",
    "STREET": "The space is marked with a yellow curb and a reserved sign; show your booking if asked.",
    "VALET": "Stop at the valet stand and show your booking code to the attendant.",
}

# (make, model, size)
VEHICLES = (
    ("Honda", "Civic", "COMPACT"),
    ("Toyota", "Corolla", "COMPACT"),
    ("Mini", "Cooper", "COMPACT"),
    ("Toyota", "Camry", "SEDAN"),
    ("Honda", "Accord", "SEDAN"),
    ("Tesla", "Model 3", "SEDAN"),
    ("Hyundai", "Elantra", "SEDAN"),
    ("Subaru", "Outback", "SUV"),
    ("Ford", "F-150", "SUV"),
    ("Toyota", "RAV4", "SUV"),
    ("Jeep", "Grand Cherokee", "SUV"),
    ("Tesla", "Model Y", "SUV"),
    ("Harley-Davidson", "Sportster", "MOTORCYCLE"),
    ("Ford", "Transit", "OVERSIZED"),
)
COLORS = ("Black", "White", "Silver", "Gray", "Blue", "Red", "Green", "Beige")
CARD_BRANDS = ("visa", "visa", "mastercard", "amex", "discover")

GUEST_NOTES = (
    "",
    "",
    "",
    "I might arrive 10 minutes late.",
    "Dropping off at the airport shuttle nearby.",
    "Coming in for a concert, thanks!",
    "Visiting family in the area.",
)
CANCELLATION_REASONS = (
    "My plans changed.",
    "The event was postponed.",
    "Found a ride instead.",
    "Meeting moved to a different day.",
)
HOST_CANCELLATION_REASONS = ("The driveway is being resurfaced that day.", "Unexpected family visit, sorry!")

GUEST_REVIEWS = {
    5: (
        "Perfect spot, exactly as described. Easy in and out.",
        "Super convenient and the host was great. Will book again.",
        "Clean, safe and close to everything. Highly recommend.",
        "Saved my day downtown. Great communication from the host.",
    ),
    4: (
        "Good spot and fair price. Entrance was a little tricky to find.",
        "Worked well for our trip, a bit tight for a bigger car.",
        "Nice and close. Instructions could have been clearer.",
    ),
    3: (
        "It was fine. Took a while to find the space.",
        "OK for the price, but the lighting at night is poor.",
    ),
    2: ("Another car was in my spot when I arrived; the host sorted it out eventually.",),
    1: ("Could not get in at the booked time and the host did not answer.",),
}
GUEST_REVIEW_TITLES = {5: "Great spot", 4: "Good value", 3: "Decent", 2: "Some problems", 1: "Disappointing"}
HOST_REVIEWS = {
    5: ("Great guest, on time and left the space clean.", "Perfect guest, welcome back any time."),
    4: ("Good guest, arrived a little late but let me know.", "No issues, thanks!"),
    3: ("Stayed a bit past the booked time.",),
    2: ("Parked across two spaces.",),
    1: ("Left well after the booking ended without a word.",),
}
HOST_RESPONSES = (
    "Thanks so much, glad it worked out!",
    "Thank you for the feedback, I have added clearer signs at the entrance.",
    "Sorry about that, it should not happen again.",
)

# Conversations: alternating guest / host lines; "{vehicle}", "{near}" and "{start}" are filled in.
CONVERSATIONS = (
    (
        "Hi! Will a {vehicle} fit in the space?",
        "Hi, yes, it fits comfortably. Plenty of room.",
        "Great, thanks. Booking now.",
        "See you then!",
    ),
    (
        "Hello, is it OK if I arrive a little before {start}?",
        "Sure, the space is free beforehand, come whenever you like.",
        "Thank you!",
    ),
    (
        "Hi, how far is the walk to {near}?",
        "About 5 minutes on foot, straight down the street.",
    ),
    (
        "Is there a charger I can use?",
        "There is a Level 2 charger by the space; the cable is in the box on the wall.",
        "Perfect, thanks a lot.",
    ),
)

USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
)
