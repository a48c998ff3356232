"""Hand-written knowledge of the six NOLAlytics opportunity types (plus "none").

Used as extra training signal next to the labelled seed set: the seed texts are short and
mostly written by residents, while the ideas that matter most are often written by council
analysts in a longer, more technical voice. So each type has

* ``DEFINITIONS``: what the type is, in a sentence or two;
* ``EXAMPLES``: short project descriptions in an analytics team's voice, across many services
  (written for this module; none is copied from the seed set or any evaluation data);
* ``CUES``: phrases that signal the analytic intent of a type. Each becomes one feature (how
  often the cues of that type occur), which a classifier can weigh like any word but which
  generalises across wordings ("prioritise", "rank the backlog", "worst first").
"""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "needle": (
        "Finding a needle in a haystack: use data and predictive models to identify the few "
        "high-risk targets hidden in a large population, such as properties, businesses or "
        "cases most likely to be non-compliant, unsafe or fraudulent, so that inspectors and "
        "enforcement officers visit the likeliest ones instead of checking at random."),
    "prioritise": (
        "Prioritising work: rank an existing backlog, queue or waiting list by risk, harm or "
        "impact so that the most serious cases are dealt with first, instead of first come, "
        "first served or in the order they were reported."),
    "early_warning": (
        "Early warning: predict from historic patterns which people, households or places are "
        "likely to need help soon, so that services can intervene early and prevent harm "
        "before a crisis such as eviction, homelessness, hospital admission or family "
        "breakdown happens."),
    "decisions": (
        "Better decisions: bring joined-up, timely information together and put it in front "
        "of the person making a decision, through a single view, shared record, dashboard or "
        "report, so decisions are based on the full picture."),
    "allocation": (
        "Smarter allocation of resources: use data to decide where and when to deploy staff, "
        "vehicles and assets: routing, scheduling, rostering, placement and capacity planning "
        "matched to demand."),
    "experiment": (
        "Experiments and evaluation: test what works with trials, randomised controlled "
        "trials, A/B tests, pilots with comparison groups and rigorous evaluations of a "
        "service or policy change, measuring the effect before rolling it out."),
    "none": (
        "Not a data project: a request for a service, facility, repair, policy or funding "
        "change that does not involve analysing data to target, rank, predict, inform, "
        "allocate or test anything."),
}

EXAMPLES: dict[str, list[str]] = {
    "needle": [
        "Build a risk model to identify unlicensed houses in multiple occupation. We will "
        "combine council tax, electoral register, housing benefit and noise complaint data to "
        "score every residential property and give the private sector housing team a list of "
        "addresses most likely to be unlicensed HMOs.",
        "Fire risk-based inspections: train a model on historic fire incidents and building "
        "attributes to predict which commercial premises are at highest risk, and direct fire "
        "safety audits to the top-scoring buildings rather than a rolling cycle.",
        "Detect single person discount fraud by matching council tax records against credit "
        "reference and electoral data, flagging the accounts with the strongest indicators "
        "for investigation.",
        "Use machine learning to find businesses trading without the correct licence. Features "
        "include business rates, food hygiene records and online listings; the output is a "
        "ranked list of likely unlicensed operators for trading standards.",
        "Identify properties likely to have illegal building conversions using permit history, "
        "utility usage anomalies and complaints, so that inspectors can target the small "
        "number of dangerous conversions among thousands of homes.",
        "Predict which restaurants are most likely to fail a food hygiene inspection using past "
        "inspection scores, complaints and business characteristics, and send inspectors to "
        "the highest-risk premises first.",
        "Spot landlords who are likely to be operating rogue lettings by linking tenancy "
        "deposit, repairs complaints and enforcement data; the model highlights the handful of "
        "landlords responsible for most of the harm.",
        "Find long-term empty homes across the borough from water consumption, council tax "
        "exemptions and electoral data, producing a list of likely empty properties for the "
        "empty homes officer to confirm.",
        "Target tenancy fraud: score social housing tenancies for the likelihood of "
        "subletting using data matching across benefits, council tax and credit files.",
        "Detect waste carriers likely to be fly-tipping by matching licence records, vehicle "
        "sightings and incident locations to flag suspicious operators for enforcement.",
        "A predictive model of buildings with dangerous cladding or missing fire doors, built "
        "from construction year, height, materials and inspection outcomes, to decide which "
        "blocks to inspect.",
        "Identify schools or care homes most likely to breach safeguarding standards using "
        "complaint patterns and inspection history so that unannounced visits are targeted.",
        "Use anomaly detection on procurement and payments data to flag invoices and suppliers "
        "most likely to be fraudulent for the audit team.",
        "Predict which homes lack a working smoke alarm using census, housing and incident "
        "data, so fire crews can knock on the doors most likely to need one.",
    ],
    "prioritise": [
        "Prioritise the road repairs backlog by risk: score every reported pothole on depth, "
        "traffic volume, cyclist usage and proximity to schools so crews fix the most "
        "dangerous defects first instead of in the order they were reported.",
        "Triage the housing disrepair queue. Cases are currently handled first come, first "
        "served; we will rank them by health risk to occupants, using damp and mould "
        "severity, vulnerability flags and children in the household.",
        "Rank planning enforcement complaints by likely harm so that officers deal with the "
        "serious breaches first and the trivial ones later.",
        "Use a scoring model to order the adult social care assessment waiting list by need "
        "and risk of deterioration, so the most urgent assessments happen soonest.",
        "Prioritise tree maintenance work orders by risk of failure, combining species, age, "
        "condition survey scores and location near footpaths and roads.",
        "Order the backlog of blighted and abandoned properties by impact on the "
        "neighbourhood so that code enforcement tackles the worst properties first.",
        "Rank council-owned buildings for repair and retrofit investment by condition, energy "
        "use and service criticality to build a worst-first capital programme.",
        "Sort the queue of noise and antisocial behaviour reports by severity and repeat "
        "victimisation so that the highest-harm cases are reviewed first.",
        "Prioritise which contaminated land sites to investigate based on a risk score from "
        "historic land use, proximity to homes and groundwater.",
        "Create a risk-ranked list of bridges and culverts for inspection and repair using "
        "condition data, age and flood exposure, replacing the calendar-based cycle.",
        "Triage incoming safeguarding referrals with a risk score so that the most urgent "
        "cases are seen first and lower-risk referrals are handled later.",
        "Rank streets for resurfacing by a combined index of defects, complaints, traffic "
        "and accident history rather than by the oldest request.",
    ],
    "early_warning": [
        "Predict which households are at risk of homelessness in the next six months using "
        "rent arrears, benefit changes and previous housing applications, so that the "
        "prevention team can contact them before they reach crisis.",
        "An early warning model for children at risk of becoming looked after, built from "
        "school attendance, police call-outs and family support history, to offer early help "
        "before problems escalate.",
        "Forecast which council tenants are likely to fall into rent arrears and offer money "
        "advice early, before arrears lead to eviction proceedings.",
        "Identify older residents at risk of a fall or hospital admission from social care, "
        "GP and ambulance data, and offer preventative support before harm happens.",
        "Predict pupils at risk of not being in education, employment or training after "
        "school from attendance, exclusions and attainment, so that careers support can "
        "start early.",
        "Use historic patterns to anticipate which care providers are likely to fail or close, "
        "giving commissioners time to step in before residents are affected.",
        "Flag people likely to start sleeping rough by linking hospital discharge, prison "
        "release and housing data, so outreach can reach them before their first night out.",
        "An early warning system for businesses likely to close, using business rates "
        "arrears and footfall data, so that economic development can offer support early.",
        "Predict which households will struggle with energy bills this winter and offer "
        "grants and insulation before they fall into fuel poverty.",
        "Anticipate which young people are at risk of exploitation or exclusion from school "
        "using indicators from several services, so that youth workers can intervene "
        "sooner.",
        "Forecast which residents are likely to develop a need for adult social care and "
        "provide reablement early to prevent or delay long-term care.",
        "Spot families likely to fall into debt with the council from payment patterns and "
        "changes in circumstances, and contact them with help before enforcement.",
    ],
    "decisions": [
        "Build a single view of the family that brings together records from children's "
        "services, schools, housing and police so that social workers see the full picture "
        "when making decisions.",
        "Create a dashboard for the licensing committee showing complaints, incidents and "
        "inspection history for each premises before a licence decision.",
        "Join up data from housing, benefits and council tax so that contact centre staff can "
        "see a resident's whole history on one screen and resolve queries first time.",
        "Develop an interactive performance dashboard for senior leaders with timely data on "
        "demand, waiting times and outcomes across services.",
        "Give planning committee members a summary of infrastructure capacity, school places "
        "and transport data for each application so they can decide with evidence.",
        "A shared data platform integrating health and social care records for hospital "
        "discharge decisions, so discharge teams know what support is already in place.",
        "Map all the regeneration investments, land ownership and deprivation data in one "
        "place so that councillors can compare options for new developments.",
        "Bring together business intelligence from rates, licensing and footfall into a "
        "business atlas that helps officers advise new businesses where to open.",
        "Provide case workers with a consolidated record of every contact and service a "
        "person has received across agencies to support decisions about their care.",
        "Build a data warehouse and reporting layer so budget holders can see spend against "
        "outcomes and make decisions with up-to-date information.",
        "Give the emergency planning team a live map combining flood warnings, vulnerable "
        "residents and road closures to inform decisions during incidents.",
        "Help the cabinet decide on school place planning with a report that joins up birth "
        "rates, housing growth and pupil migration data.",
    ],
    "allocation": [
        "Optimise refuse collection routes using vehicle GPS data, bin locations and road "
        "network data to reduce miles driven and missed collections.",
        "Deploy ambulances and fire engines to standby locations based on predicted demand by "
        "time of day so that response times fall.",
        "Schedule home care visits with a routing algorithm that matches carers to clients "
        "by location, skills and continuity, reducing travel time.",
        "Allocate street cleaning crews to areas by forecast litter levels, footfall and "
        "events rather than a fixed rota.",
        "Use demand forecasting to set staffing levels in the contact centre and libraries "
        "hour by hour.",
        "Decide where to place new electric vehicle charging points using car ownership, "
        "journey and grid capacity data.",
        "Plan the deployment of parking enforcement officers across the city by time and "
        "location of likely contraventions.",
        "Match gritting routes and salt stock to forecast road temperatures and traffic so "
        "vehicles go where they are needed first.",
        "Optimise the location of recycling banks and the frequency of emptying using fill "
        "sensor data.",
        "Roster social workers and allocate caseloads by complexity and geography so that "
        "workloads are balanced across teams.",
        "Use a simulation of demand to decide how many temporary accommodation units to "
        "procure and where.",
        "Dispatch highway inspectors and repair teams with optimised daily schedules that "
        "group jobs by area and urgency.",
        "Place police community support officers and youth workers where and when incidents "
        "are most likely, using hotspot analysis.",
    ],
    "experiment": [
        "Run a randomised controlled trial of different wording in council tax reminder "
        "letters to measure which version increases on-time payment.",
        "A/B test two versions of the online housing application form to see which one "
        "reduces drop-out and errors.",
        "Evaluate the impact of the new early help service using a comparison group of "
        "similar families who did not receive it.",
        "Pilot text message reminders for missed bin collections in half of the wards and "
        "compare complaint rates with the other half.",
        "Trial a behavioural nudge to increase recycling, randomly assigning streets to "
        "receive feedback cards and measuring contamination rates.",
        "Test whether proactive phone calls reduce rent arrears, with tenants randomly "
        "allocated to calls or usual practice.",
        "Evaluate whether the 20mph zones reduced collisions using a difference-in-differences "
        "analysis against comparable roads.",
        "Run a controlled experiment on appointment reminders to cut no-shows at council "
        "services and measure the effect size.",
        "Test different incentives for take-up of free school meals with a randomised trial "
        "across schools.",
        "Use a stepped-wedge trial to evaluate a new hospital discharge process before rolling "
        "it out to every ward.",
        "Measure the effect of the parking charge change on town centre footfall using a "
        "before-and-after evaluation with control areas.",
        "Trial two outreach approaches for rough sleepers and compare outcomes to decide "
        "which one to scale up.",
    ],
    "none": [
        "Build a new swimming pool and leisure centre in the north of the city.",
        "Plant more trees along the high street and put in new benches.",
        "Reduce council tax for pensioners and cut parking charges in the town centre.",
        "Open the library on Sundays and extend the opening hours of the museum.",
        "Repair the broken street lights on our road and repaint the zebra crossing.",
        "Replace the council's email system and upgrade staff laptops.",
        "Ban fireworks sales to the public and hold more organised displays.",
        "Build more affordable housing and a new primary school in the area.",
        "Hold a festival in the park every summer to bring the community together.",
        "Fund more youth clubs and after-school activities for teenagers.",
        "Install a new playground and public toilets in the park.",
        "Introduce a new logo and brand for the council's communications.",
        "Lobby the government for more funding for local bus services.",
        "Put up signs asking dog owners to pick up after their dogs.",
    ],
}

# Cues are matched on normalised text (lower case, no accents, apostrophes removed) as whole
# words; a trailing "*" allows any ending ("prioriti*" matches prioritise, prioritising...).
CUES: dict[str, list[str]] = {
    "needle": [
        "identify*", "detect*", "flag*", "target*", "fraud*", "illegal*", "unlicensed",
        "rogue", "non-compliant", "noncompliant", "likely to be", "most likely", "risk model",
        "risk score*", "anomal*", "suspicious", "data matching", "needle", "haystack",
        "at random", "random inspections", "investigat*", "evasion", "evading", "undeclared",
        "which properties", "which premises", "which businesses", "which landlords",
    ],
    "prioritise": [
        "prioriti*", "prioritization", "rank*", "first come", "first-come", "first served",
        "worst first", "worst ones", "most urgent", "most serious", "backlog*", "queue*",
        "waiting list*", "triage*", "severity", "urgency", "risk-based", "worst-first",
        "reported first", "in the order", "order of urgency", "serious ones", "top of the list",
    ],
    "early_warning": [
        "early warning", "early help", "early intervention", "prevent*", "at risk of",
        "at-risk", "anticipat*", "likely to need", "fall into", "falling into", "crisis",
        "crises", "escalat*", "before they", "before it", "before the", "before crisis",
        "before harm", "too late", "warning signs", "in advance", "ahead of time",
        "deteriorat*", "become homeless", "intervene early", "sooner",
    ],
    "decisions": [
        "dashboard*", "single view", "one view", "joined-up", "joined up", "join up",
        "bring together", "brings together", "in one place", "one screen", "full picture",
        "whole picture", "whole history", "shared record*", "data sharing",
        "decision maker*", "decision-maker*", "decision making", "decision-making",
        "business intelligence", "data warehouse", "visualis*", "live map", "at a glance",
    ],
    "allocation": [
        "allocat*", "deploy*", "routing", "route optimi*", "optimise routes",
        "optimize routes", "schedul*", "roster*", "rota", "rotas", "dispatch*",
        "where and when", "staffing", "shift patterns", "response time*", "travel time*",
        "caseload*", "demand forecast*", "forecast demand", "placement of", "where to put",
        "where to place", "fleet",
    ],
    "experiment": [
        "trial*", "randomis*", "randomiz*", "randomly", "a/b", "a/b test*", "ab test*",
        "test whether", "test which", "experiment*", "pilot*", "control group*",
        "comparison group*", "evaluat*", "impact evaluation", "what works",
        "before and after", "before-and-after", "nudge*", "behavioural insight*",
        "difference-in-differences", "rct", "rcts", "counterfactual",
    ],
    "none": [],
}
