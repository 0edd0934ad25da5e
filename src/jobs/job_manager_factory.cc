// The production factories of JobManager, apart from job_manager.cc so that code and tests
// that inject their own factories do not pull in (and link) the executor.
#include "jobs/job_manager.h"

namespace fluxgate::jobs {

JobFactory DefaultJobFactory() {
  return [](const sql::Pipeline& pipeline, JobContext context) {
    return Job::Create(pipeline, std::move(context));
  };
}

QueryJobFactory DefaultQueryJobFactory() {
  return [](const sql::PlanPtr& plan, const std::string& name, const std::string& sql,
            JobContext context, RowTextSink rows) {
    return CreateQueryJob(plan, name, sql, std::move(context), std::move(rows));
  };
}

}  // namespace fluxgate::jobs
