"""Builds survey files for tests and the benchmark, and finds the real ones.

The real raw files are in ../shared/surveys/raw/ (RAW; their figures in ../shared/surveys/SOURCES.md): Stack
Overflow 2019 (300 rows), 2024 (3 rows), 2025 (1,000 rows), Kaggle 2019 and 2021 (whole). Tests read those first.

For what no real file covers (every other year's layout, thousands of answers to count, damaged files), files are
GENERATED here — NOT real answers — with each year's *published* column names (survey_results_schema.csv of that
year; 2019 has its full list of 85 columns, other years the columns around the framework question) and the
published option strings, so the importer meets the shape of the real files: quoted fields with commas,
non-ASCII text, 'NA' for no answer, ';'-separated options. Answers are drawn from a seeded generator; tests count
them again independently with Python's csv module.
"""

from __future__ import annotations

import csv
import random
import zipfile
from pathlib import Path

RAW = Path(__file__).resolve().parent.parent.parent / "shared" / "surveys" / "raw"
PUBLISHED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "surveys"

COLUMNS_2019 = (
    "Respondent,MainBranch,Hobbyist,OpenSourcer,OpenSource,Employment,Country,Student,EdLevel,UndergradMajor,"
    "EduOther,OrgSize,DevType,YearsCode,Age1stCode,YearsCodePro,CareerSat,JobSat,MgrIdiot,MgrMoney,MgrWant,"
    "JobSeek,LastHireDate,LastInt,FizzBuzz,JobFactors,ResumeUpdate,CurrencySymbol,CurrencyDesc,CompTotal,"
    "CompFreq,ConvertedComp,WorkWeekHrs,WorkPlan,WorkChallenge,WorkRemote,WorkLoc,ImpSyn,CodeRev,CodeRevHrs,"
    "UnitTests,PurchaseHow,PurchaseWhat,LanguageWorkedWith,LanguageDesireNextYear,DatabaseWorkedWith,"
    "DatabaseDesireNextYear,PlatformWorkedWith,PlatformDesireNextYear,WebFrameWorkedWith,WebFrameDesireNextYear,"
    "MiscTechWorkedWith,MiscTechDesireNextYear,DevEnviron,OpSys,Containers,BlockchainOrg,BlockchainIs,BetterLife,"
    "ITperson,OffOn,SocialMedia,Extraversion,ScreenName,SOVisit1st,SOVisitFreq,SOVisitTo,SOFindAnswer,"
    "SOTimeSaved,SOHowMuchTime,SOAccount,SOPartFreq,SOJobs,EntTeams,SOComm,WelcomeChange,SONewContent,Age,"
    "Gender,Trans,Sexuality,Ethnicity,Dependents,SurveyLength,SurveyEase"
).split(",")

MAIN_BRANCH = [
    "I am a developer by profession",
    "I am a student who is learning to code",
    "I am not primarily a developer, but I write code sometimes as part of my work",
    "I code primarily as a hobby",
    "I used to be a developer by profession, but no longer am",
    "NA",
]
PROFESSIONAL_2017 = ["Professional developer", "Student", "Professional non-developer who sometimes writes code",
                     "Used to be a professional developer", "None of these"]
MISC_2019 = [".NET", ".NET Core", "Ansible", "Apache Spark", "Chef", "Cordova", "CryEngine", "Flutter", "Hadoop",
             "Other(s):", "Pandas", "Puppet", "React Native", "TensorFlow", "Torch/PyTorch", "Unity 3D",
             "Unreal Engine", "Xamarin"]
MISC_2020 = MISC_2019[:9] + ["Keras", "Node.js"] + MISC_2019[10:]
MISC_2021 = [".NET Framework", ".NET Core / .NET 5", "Apache Spark", "Cordova", "Flutter", "Hadoop", "Keras",
             "NumPy", "Pandas", "Qt", "React Native", "TensorFlow", "Torch/PyTorch", "Xamarin"]
MISC_2022 = MISC_2021 + ["Hugging Face Transformers", "Scikit-learn", "Apache Kafka", "Electron"]
FRAMEWORK_2017 = ["Node.js", "AngularJS", ".NET Core", "React", "Cordova", "Firebase", "Xamarin", "Hadoop", "Spark"]
FRAMEWORK_2018 = ["Angular", "Cordova", "Django", ".NET Core", "Hadoop", "Node.js", "React", "Spark", "Spring",
                  "TensorFlow", "Torch/PyTorch", "Xamarin"]

# year -> (columns, question column, its options, professional column or None, its answers, separator)
SHAPES = {
    2017: (["Respondent", "Professional", "ProgramHobby", "Country", "University", "EmploymentStatus",
            "HaveWorkedLanguage", "HaveWorkedFramework", "WantWorkFramework", "Salary"],
           "HaveWorkedFramework", FRAMEWORK_2017, "Professional", PROFESSIONAL_2017, "; "),
    2018: (["Respondent", "Hobby", "OpenSource", "Country", "Student", "Employment", "FormalEducation",
            "DevType", "LanguageWorkedWith", "FrameworkWorkedWith", "FrameworkDesireNextYear", "ConvertedSalary"],
           "FrameworkWorkedWith", FRAMEWORK_2018, None, None, ";"),
    2019: (COLUMNS_2019, "MiscTechWorkedWith", MISC_2019, "MainBranch", MAIN_BRANCH, ";"),
    2020: (["Respondent", "MainBranch", "Hobbyist", "Age", "Country", "EdLevel", "Employment",
            "LanguageWorkedWith", "MiscTechDesireNextYear", "MiscTechWorkedWith", "ConvertedComp"],
           "MiscTechWorkedWith", MISC_2020, "MainBranch", MAIN_BRANCH, ";"),
}
for _year in (2021, 2022, 2023, 2024, 2025):
    SHAPES[_year] = (["ResponseId", "MainBranch", "Employment", "Country", "EdLevel", "LanguageHaveWorkedWith",
                      "MiscTechHaveWorkedWith", "MiscTechWantToWorkWith", "ConvertedCompYearly"],
                     "MiscTechHaveWorkedWith", MISC_2021 if _year == 2021 else MISC_2022, "MainBranch",
                     MAIN_BRANCH, ";")

FILLER = ["Bachelor’s degree (BA, BS, B.Eng., etc.)", "Germany", "Côte d'Ivoire", "Employed full-time",
          "Python;JavaScript;SQL", "NA", "25-34 years old", "Yes", "No", "Somewhat satisfied", "100,000"]


def rows_for(year: int, count: int, seed: int = 7):
    columns, question, options, pro_column, pro_answers, sep = SHAPES[year]
    rng = random.Random(seed)
    for i in range(count):
        row = []
        for column in columns:
            if column in ("Respondent", "ResponseId"):
                row.append(str(i + 1))
            elif column == question:
                if rng.random() < 0.3:
                    row.append("NA")
                else:
                    picked = rng.sample(options, rng.randint(1, 4))
                    row.append(sep.join(picked))
            elif column == pro_column:
                row.append(rng.choice(pro_answers))
            else:
                row.append(rng.choice(FILLER))
        yield row


def write_survey(path: Path, year: int, count: int, seed: int = 7) -> Path:
    columns = SHAPES[year][0]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows_for(year, count, seed))
    return path


def zip_survey(csv_path: Path, zip_path: Path) -> Path:
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv_path, "survey_results_public.csv")
        archive.writestr("survey_results_schema.csv", "Column,QuestionText\nRespondent,Randomized respondent ID\n")
        archive.writestr("README_2019.txt", "generated for tests")
    return zip_path


# Stack Overflow's own 'professional developers' per year, written out again here (data/surveys/stackoverflow.toml)
BOTH = {"I am a developer by profession",
        "I am not primarily a developer, but I write code sometimes as part of my work"}
PROFESSIONAL = {2017: {"Professional developer"}, 2019: BOTH, 2020: BOTH,
                **{year: {"I am a developer by profession"} for year in range(2021, 2026)}}


def expected_counts(path: Path, year: int, wanted: list[str]) -> dict:
    """Count the file again, independently of DuckDB: respondents, answered, and ticks per option."""
    _, question, _, pro_column, _, sep = SHAPES[year]
    pro_values = PROFESSIONAL.get(year, set())
    result = {"n_all": 0, "n_answered": 0, "n_all_pro": 0, "n_answered_pro": 0}
    result.update({f"all:{w}": 0 for w in wanted})
    result.update({f"pro:{w}": 0 for w in wanted})
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            answer = record[question]
            answered = answer not in ("", "NA")
            picked = {a.strip() for a in answer.split(sep.strip())}
            pro = bool(pro_column) and record[pro_column] in pro_values
            result["n_all"] += 1
            result["n_answered"] += answered
            result["n_all_pro"] += pro
            result["n_answered_pro"] += answered and pro
            for w in wanted:
                result[f"all:{w}"] += w in picked
                result[f"pro:{w}"] += (w in picked) and pro
    return result


# -- Kaggle ML & DS survey: one column per option, a question-text line under the header ------------------------
KAGGLE_2020_OPTIONS = [" Scikit-learn ", "  TensorFlow ", " Keras ", " PyTorch ", " Fast.ai ", " MXNet ", " Xgboost ",
                       " LightGBM ", " CatBoost ", " Prophet ", " H2O 3 ", " Caret ", " Tidymodels ", " JAX ", "None",
                       "Other"]
KAGGLE_SHAPES = {
    2020: ("Q16_Part_", KAGGLE_2020_OPTIONS[:-1], "Q16_OTHER", ["Time from Start to Finish (seconds)", "Q1", "Q2", "Q3"]),
    2021: ("Q16_Part_", KAGGLE_2020_OPTIONS[:14] + [" PyTorch Lightning ", " Huggingface ", "None"], "Q16_OTHER",
           ["Time from Start to Finish (seconds)", "Q1", "Q2", "Q3"]),
    2022: ("Q17_", [" Scikit-learn ", "  TensorFlow ", " Keras ", " PyTorch ", " Fast.ai ", " Xgboost ", " LightGBM ",
                    " CatBoost ", " Pytorch Lightning ", " Huggingface ", " JAX ", "None"], None,
           ["Duration (in seconds)", "Q2", "Q3", "Q4"]),
}


def write_kaggle(path: Path, year: int, count: int, seed: int = 5) -> Path:
    prefix, options, other, lead = KAGGLE_SHAPES[year]
    parts = [f"{prefix}{i + 1}" for i in range(len(options))]
    columns = lead + parts + ([other] if other else [])
    question = "Which of the following machine learning frameworks do you use on a regular basis? (Select all that apply)"
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerow(["Duration", "What is your age (# years)?", "What is your gender?", "In which country?"]
                        + [f"{question} - Selected Choice - {o}" for o in options]
                        + ([f"{question} - Selected Choice - Other"] if other else []))
        for _ in range(count):
            ticked = set() if rng.random() < 0.25 else set(rng.sample(range(len(options)), rng.randint(1, 3)))
            writer.writerow([str(rng.randint(100, 5000)), rng.choice(["25-29", "30-34"]), "Man", "India"]
                            + [options[i] if i in ticked else "" for i in range(len(options))]
                            + ([""] if other else []))
    return path


def expected_kaggle(path: Path, year: int) -> dict:
    prefix, options, _, _ = KAGGLE_SHAPES[year]
    result = {"n_all": 0, "n_answered": 0, **{o.strip(): 0 for o in options}}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        next(reader)  # the question-text line
        for record in reader:
            picked = [record[f"{prefix}{i + 1}"].strip() for i in range(len(options))]
            result["n_all"] += 1
            result["n_answered"] += any(picked)
            for p in picked:
                if p:
                    result[p] += 1
    return result
