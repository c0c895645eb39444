from django.core.management.base import BaseCommand, CommandError

from amg_portal.dashboard import largedata


class Command(BaseCommand):
    help = (
        "Build a realistic large dataset through the app's services (default: one university, "
        "about 100 units five levels deep, 5,000 employees, five yearly rounds; ten universities: "
        "--units 1014 --employees 50000)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=100, help="Units in the tree (5 levels).")
        parser.add_argument("--employees", type=int, default=5000, help="Employees in all.")
        parser.add_argument("--years", type=int, default=5, help="Yearly rounds, newest last.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random answers.")
        parser.add_argument("--name", default=largedata.ROOT_NAME, help="Name of the root unit.")

    def handle(self, *args, **options):
        try:
            summary = largedata.build(
                units=options["units"],
                employees=options["employees"],
                years=options["years"],
                seed=options["seed"],
                name=options["name"],
                log=self.stdout.write,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Built {summary.units} units, {summary.employees} employees, "
            f"{len(summary.rounds)} rounds, {summary.responses} responses, {summary.answers} "
            f"answers, {summary.comments} comments, {summary.tiltag} tiltag, {summary.cases} "
            f"cases in {summary.seconds:.0f} s. Every account's password: {largedata.PASSWORD}"
        )
