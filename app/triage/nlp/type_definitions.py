"""Hand-written knowledge of the six NOLAlytics opportunity types (plus "none").

Used as extra training signal next to the labelled seed set: the seed texts are short and
mostly written by residents, while the ideas that matter most are often written by council
analysts in a longer, more technical voice. So each type has

* ``DEFINITIONS``: what the type is, in a sentence or two;
* ``EXAMPLES``: short project descriptions in an analytics team's voice, across many services
  (written for this module; none is copied from the seed set or any evaluation data);
* ``CUES``: phrases that signal the analytic intent of a type. Each can become one feature
  (how often the cues of that type occur). They are off by default (``types.CUE_SCALE`` is
  0): on project descriptions written by analytics teams they cost accuracy, because such
  write-ups use "identify", "target" or "prevent" whatever the type (docs/triage.md).
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
        # Write-ups of finished projects, in the past tense.
        "The revenue team suspected that many short-term holiday lets were not registered for "
        "business rates. Analysts matched booking platform listings, supplied under "
        "a data sharing agreement, with the address gazetteer and rating list, and produced "
        "310 addresses that looked like unregistered lets. Officers confirmed two thirds of "
        "them and the first year brought in £1.2m.",
        "The licensing team suspected that some private hire drivers kept working while their "
        "licences were suspended. Comparing the suspension list with trip records that "
        "operators supply picked out 23 drivers among 4,000; most were confirmed and their "
        "operators warned.",
        "Working with the building department, the team looked for apartment buildings whose "
        "elevators had lapsed certificates. Comparing the permit register with inspection "
        "filings surfaced 140 buildings among 12,000 that had gone years without a check.",
        "Payroll and pension records were compared with the national register of deaths to "
        "find payments still being made to people who had died; the overpayments identified "
        "were passed to the recovery team.",
        "Shops claiming empty property relief on business rates were sometimes trading. "
        "Analysts matched the relief list with card payment, energy and licensing data and "
        "sent the inspectors to the 150 premises with signs of activity, out of 3,000 on "
        "relief.",
        "The housing team knew that some homes were being rented out with gas appliances that "
        "had never been certified. By matching tenancy deposit registrations against gas "
        "safety records, the pilot produced a short list of rented homes with no record at "
        "all, and most visits found a problem.",
        "Our office helped the tax collector find businesses operating without a licence by "
        "comparing sales tax filings, utility accounts and the licence database; the gaps "
        "between them pointed inspectors to the unlicensed ones.",
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
        # Write-ups of finished projects, in the past tense.
        "Complaints about overgrown and derelict lots were inspected in the order they "
        "arrived, which meant the worst sites could wait months. The team scored each open "
        "complaint on nearby vacancy, calls for service and proximity to schools, and "
        "inspectors now work the list from the top down; the average wait for the most "
        "serious sites fell from 90 to 21 days.",
        "Thousands of addresses needed a follow-up visit after the flood but crews could only "
        "reach a few hundred a week. Analysts ordered the addresses by the depth of water, "
        "the age of residents and medical needs so that the most vulnerable households were "
        "visited in the first fortnight.",
        "The pavement repair programme had a backlog of 9,000 defects. We sorted it by a harm "
        "score built from trip claims, footfall and the number of older residents nearby, so "
        "that each month's budget goes to the defects most likely to cause an injury.",
        "Caseworkers in the benefits service held a pile of unprocessed "
        "change-of-circumstance forms. The team estimated how much each unprocessed case was "
        "likely to cost a household in lost support and reordered the pile so that the "
        "costliest were processed first.",
        "With only enough money to demolish a fraction of the condemned structures each year, "
        "the city asked which should go first. The analysis weighed structural danger, "
        "complaints and the effect on neighbouring property values and produced a sequenced "
        "demolition list that the council adopted.",
        "Freedom of information requests were answered oldest first, so urgent requests and "
        "those at risk of missing the legal deadline sat behind routine ones. A simple "
        "scoring of deadline, complexity and subject now decides the order in which the team "
        "takes them.",
        "Building inspectors had hundreds of open permits awaiting a final inspection. The "
        "team ranked them by the risk of occupancy without sign-off so that the riskiest "
        "sites were inspected first.",
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
        # Write-ups of finished projects, in the past tense.
        "Bridge engineers used to find deterioration only at the scheduled inspection, "
        "sometimes after weight limits had to be imposed in a hurry. Using decades of "
        "inspection ratings, traffic loads and weather, the team modelled how quickly each "
        "structure was likely to decline and which ones would fall below a safe rating within "
        "five years, giving engineers time to plan repairs.",
        "Analysts looked at people who had died of an overdose and found that most had been "
        "in contact with emergency services in the months before. The public health "
        "department now receives a weekly list of residents with recent non-fatal overdoses "
        "so that peer workers can reach them before the next one.",
        "Tenants who later left their homes owing rent usually showed the same pattern months "
        "earlier: missed direct debits, a change in household and calls to the repairs line "
        "stopping. The housing association used those signs to contact tenants while the debt "
        "was still small.",
        "Pump stations at the water authority failed without warning, flooding streets. The "
        "analytics team used sensor readings of vibration, temperature and run time to "
        "forecast which pumps were likely to fail in the coming weeks, so maintenance happens "
        "before a breakdown.",
        "The school district wanted to know sooner which children would struggle to read by "
        "the end of third grade. Using kindergarten screening scores and attendance, the "
        "model gives teachers a list each autumn of pupils likely to fall behind, and they "
        "receive extra support from the start of the year.",
        "Analysts found that families who missed two health visitor appointments and moved "
        "home twice in a year were far more likely to be referred to children's social care "
        "within eighteen months. Health visitors now receive a monthly list of such families "
        "and offer support well before a referral would be made.",
        "Residents who have a second fall within a year are far more likely to end up in "
        "hospital. The team found that the first ambulance call-out predicts the second, and "
        "the service now refers people after that first call to a falls prevention team.",
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
        # Write-ups of finished projects, in the past tense.
        "Each month the mayor's senior team meets with a department head to review a handful "
        "of measures, such as days to fill a pothole or the backlog of permit applications. "
        "The analytics office prepares the data, points out where performance is slipping and "
        "tracks the commitments made in the room, so that leaders decide with current figures "
        "rather than anecdotes.",
        "Social workers deciding whether to place a child with a relative had to phone "
        "several agencies for background checks. The team built a screen that pulls the "
        "relevant police, housing and previous children's services records together when the "
        "decision is made.",
        "Highways officers approving road closures for events could not see the roadworks and "
        "bus diversions already planned on the same streets. A shared map of permits, events "
        "and diversions now sits in the approval screen, so clashing closures are spotted "
        "before they are approved.",
        "During the winter pressures the health and care partnership had no shared view of "
        "hospital beds, care home vacancies and home care capacity. The analytics unit built "
        "a daily report from each organisation's systems that the system leaders use in their "
        "morning call to decide where to move patients.",
        "Economic development officers advising investors relied on out-of-date spreadsheets. "
        "A site finder now shows land availability, broadband, transport and labour market "
        "data together, so officers can answer an enquiry the same day.",
        "Housing officers deciding on homelessness applications could not see whether the "
        "applicant was already known to other services. A data sharing agreement and a lookup "
        "tool now show them previous applications, tenancies and support plans when they "
        "assess a case.",
        "The finance committee set fees each year without knowing what each service cost to "
        "run. Analysts built a cost model of every fee-charging service so that members could "
        "see the subsidy behind each fee before voting on it.",
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
        # Write-ups of finished projects, in the past tense.
        "Crews for graffiti removal were sent out on a fixed weekly circuit. The team mapped "
        "reports by location and time and redesigned the circuits around where graffiti "
        "actually appears, cutting the time to removal by a third with the same number of "
        "crews.",
        "The library service reviewed its opening hours branch by branch using visits, loans "
        "and computer sessions by hour of the day, and moved staff hours from the quiet "
        "mornings to the busy after-school period.",
        "Analysts studied 911 call volumes by hour, day and district to redraw police beat "
        "boundaries and set shift start times so that the number of officers on duty follows "
        "the demand.",
        "Where should the new fire station go? The team simulated travel times from candidate "
        "sites across the road network against ten years of incident locations and "
        "recommended the site that brought the most homes within the eight-minute standard.",
        "School transport had grown route by route over twenty years. Re-planning all the "
        "routes together with the pupils' addresses and bell times removed fourteen buses "
        "from the contract.",
        "Vaccination clinics were booked in the same venues every year. The public health "
        "team matched uptake and travel times by neighbourhood and moved mobile clinics to "
        "the areas with the lowest uptake and the longest journeys.",
        "Inspectors in the environmental health team each covered a fixed patch, so some had "
        "twice the workload of others. Rebalancing the patches with a model of visit time per "
        "premises evened out the caseloads.",
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
        # Write-ups of finished projects, in the past tense.
        "Half of the households due for a recycling bin swap were sent a letter with a "
        "picture of their neighbours' recycling rate and half the standard letter; the "
        "picture letter raised recycling by five percentage points over three months.",
        "Two versions of the garden waste renewal email went to alternating halves of the "
        "subscriber list; the version with the deadline in the subject line brought 8% more "
        "renewals, and it is now the standard.",
        "The parking service tried two designs of penalty notice in alternate weeks and "
        "compared how many were paid within fourteen days.",
        "Before expanding the new model of home care to the whole county, the council ran it "
        "in two localities for a year and compared hospital admissions and care costs with "
        "two similar localities that kept the old model.",
        "Job centre customers were split at random between the usual interview and a shorter "
        "one with a written plan, to see which led more people into work within six months.",
        "The team tested whether sending residents a text message the day before bulky waste "
        "collection cut missed collections, with addresses assigned to the text or no text by "
        "the last digit of their reference number.",
        "We measured the effect of the new street lighting on night-time crime by comparing "
        "streets converted early with streets converted later in the programme.",
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
        # Write-ups of finished projects, in the past tense.
        "The council replaced its twenty-year-old finance system with a cloud product. The "
        "project team migrated the supplier and ledger records, trained 400 staff and "
        "switched over at the end of the financial year.",
        "The leisure service introduced a single membership card and loyalty scheme across "
        "its four gyms and two pools, with new opening hours at weekends.",
        "The council chamber was refurbished with new microphones, voting consoles and "
        "webcasting equipment so that residents can watch committee meetings online.",
        "A new online portal lets residents apply and pay for parking permits, replacing the "
        "paper form and the counter at the civic centre.",
        "The parks department commissioned a mural programme with local artists to brighten "
        "underpasses and discourage graffiti.",
        "All managers completed a wellbeing and resilience course, and the council introduced "
        "flexible working for office staff.",
        "The council bid for government funding to refurbish the market hall and create space "
        "for small food businesses.",
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
